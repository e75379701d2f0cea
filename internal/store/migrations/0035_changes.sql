-- One row counting the committed transactions that changed a convention
-- (an audited change, values removed): a server keeps what it computed
-- over many conventions (the list's pages, the conventions a person
-- reads) with the count it read first, and computes again only when the
-- count moved, whichever server wrote. The count is moved last in its
-- transaction, so writers wait on it only for their commit.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    count INTEGER NOT NULL
);
INSERT INTO changes (id, count) VALUES (1, 0);
