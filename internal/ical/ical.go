// Package ical writes iCalendar feeds (RFC 5545) of all-day events: the
// obligations calendar that a calendar application subscribes to. It
// writes only what ctg publishes; it reads nothing.
package ical

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContentType is the media type of a feed.
const ContentType = "text/calendar; charset=utf-8"

// Calendar is a feed: a name and its events.
type Calendar struct {
	// ProdID names the product that wrote the feed.
	ProdID string
	// Name and Description are shown by applications that read
	// X-WR-CALNAME and X-WR-CALDESC.
	Name, Description string
	// Refresh is how often an application should read the feed again.
	Refresh time.Duration
	Events  []Event
}

// Event is an all-day event.
type Event struct {
	// UID identifies the event across readings of the feed: an
	// application replaces the copy it holds of the same UID.
	UID string
	// Stamp is when the feed was written (DTSTAMP).
	Stamp time.Time
	// Modified is when the event last changed (LAST-MODIFIED), if known;
	// Sequence its revision.
	Modified time.Time
	Sequence int
	// Date is the day of the event; Until, when set, its last day.
	Date, Until time.Time
	// Start, when set, makes it a timed event rather than an all-day
	// one: it begins at Start and ends at End (two hours later when End
	// is not after Start).
	Start, End  time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	Categories  []string
	// Transparent events do not make their day busy.
	Transparent bool
}

// DefaultDuration is how long a timed event without an end lasts.
const DefaultDuration = 2 * time.Hour

// Write writes the calendar in the iCalendar format: CRLF line ends,
// lines folded at 75 octets, text escaped.
func Write(w io.Writer, c Calendar) error {
	b := bufio.NewWriter(w)
	line := func(name, value string) { writeLine(b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", Text(c.ProdID))
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", Text(c.Name))
		line("NAME", Text(c.Name))
	}
	if c.Description != "" {
		line("X-WR-CALDESC", Text(c.Description))
	}
	if c.Refresh > 0 {
		line("REFRESH-INTERVAL;VALUE=DURATION", duration(c.Refresh))
		line("X-PUBLISHED-TTL", duration(c.Refresh))
	}
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", Text(e.UID))
		line("DTSTAMP", utc(e.Stamp))
		if !e.Modified.IsZero() {
			line("LAST-MODIFIED", utc(e.Modified))
		}
		line("SEQUENCE", strconv.Itoa(e.Sequence))
		if !e.Start.IsZero() {
			end := e.End
			if !end.After(e.Start) {
				end = e.Start.Add(DefaultDuration)
			}
			line("DTSTART", utc(e.Start))
			line("DTEND", utc(end))
		} else {
			line("DTSTART;VALUE=DATE", day(e.Date))
			last := e.Date
			if !e.Until.IsZero() && e.Until.After(e.Date) {
				last = e.Until
			}
			// DTEND of an all-day event is the day after its last day.
			line("DTEND;VALUE=DATE", day(last.AddDate(0, 0, 1)))
		}
		line("SUMMARY", Text(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", Text(e.Description))
		}
		if e.Location != "" {
			line("LOCATION", Text(e.Location))
		}
		if e.URL != "" {
			line("URL;VALUE=URI", e.URL)
		}
		if len(e.Categories) > 0 {
			cats := make([]string, len(e.Categories))
			for i, c := range e.Categories {
				cats[i] = Text(c)
			}
			line("CATEGORIES", strings.Join(cats, ","))
		}
		if e.Transparent {
			line("TRANSP", "TRANSPARENT")
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Flush()
}

// Text escapes a TEXT value: backslash, semicolon, comma and line breaks.
func Text(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		default:
			// Other control characters are not allowed in a value.
			if ch < 0x20 && ch != '\t' || ch == 0x7f {
				continue
			}
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// maxLine is the longest line RFC 5545 allows, in octets, CRLF excluded.
const maxLine = 75

// writeLine writes a content line folded at maxLine octets, never inside
// a UTF-8 sequence: each continuation line begins with one space, which
// counts in its length.
func writeLine(b *bufio.Writer, s string) {
	limit := maxLine
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = maxLine - 1
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func day(t time.Time) string { return t.Format("20060102") }

func duration(d time.Duration) string {
	h := int(d.Hours())
	if h > 0 && d == time.Duration(h)*time.Hour {
		return "PT" + strconv.Itoa(h) + "H"
	}
	return "PT" + strconv.Itoa(int(d.Minutes())) + "M"
}
