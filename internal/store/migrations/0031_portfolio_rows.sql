-- The portfolio's line of each convention, computed from the whole
-- convention for one day and kept until the next change or the next day:
-- the portfolio then reads one statement, whatever the number of
-- conventions. Mark names what the line was computed from: the
-- convention's record id and revision (which every change moves, in its
-- own transaction) and the program's build. Keyed by slug, like indicator
-- values.
CREATE TABLE portfolio_rows (
    convention_slug TEXT PRIMARY KEY,
    day {{date}},
    mark TEXT NOT NULL DEFAULT '',
    row_json TEXT NOT NULL DEFAULT ''
);
