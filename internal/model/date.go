package model

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Date is a calendar day without time of day or time zone, written
// "2006-01-02" in every format ctg reads or writes.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateLayout is the only textual form of a Date.
const DateLayout = "2006-01-02"

// ParseDate reads "YYYY-MM-DD" and rejects impossible days such as 2023-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date invalide %q : format attendu AAAA-MM-JJ", s)
	}
	return DateOf(t), nil
}

// MustDate is ParseDate for constants known to be valid; it panics otherwise.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Time returns midnight UTC of the day.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Time().After(o.Time()) }

// MarshalText implements encoding.TextMarshaler (used by JSON and YAML).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalYAML reads a date and reports a bad one with its line, so that
// a file's author can find it.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDate(n.Value)
	if err != nil || n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: date invalide « %s » : format attendu AAAA-MM-JJ", n.Line, n.Value)}}
	}
	*d = v
	return nil
}

// MarshalYAML writes the date as a plain YAML scalar.
func (d Date) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: d.String()}, nil
}
