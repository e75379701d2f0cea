-- The conventions list looks, for each convention of a page, for its
-- first planned step to start: an index of the planned steps only, which
-- holds what that query reads, spares it reading every step of the page's
-- conventions.
CREATE INDEX steps_planned ON steps (fiche_id, schedule_start, position) WHERE status = 'planned';
