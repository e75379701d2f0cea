-- The portfolio's line of each convention, computed from the whole
-- convention for one day and kept until the next change or the next day:
-- the portfolio then reads one statement, whatever the number of
-- conventions. Generation counts the audited changes of the convention
-- (every audit entry adds one, in the transaction of the change), so that
-- a line computed before a change is never kept after it; Mark is the
-- convention's record id and the program's build the line was computed
-- with (a re-import gives new ids). Keyed by slug, like indicator values.
CREATE TABLE portfolio_rows (
    convention_slug TEXT PRIMARY KEY,
    generation INTEGER NOT NULL DEFAULT 0,
    day {{date}},
    mark TEXT NOT NULL DEFAULT '',
    row_json TEXT NOT NULL DEFAULT ''
);
