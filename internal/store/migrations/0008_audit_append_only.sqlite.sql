-- The history is append-only: the database itself refuses to change or
-- remove an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'historique en ajout seul : une entrée ne se modifie pas');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'historique en ajout seul : une entrée ne se supprime pas');
END;
