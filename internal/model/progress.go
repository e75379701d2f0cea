package model

// Late reports whether a step is late on a day: its normalized schedule
// ends before that day and it is neither done nor abandoned. A step
// without a normalized end is never late: nothing says when it is due.
func (s *Step) Late(today Date) bool {
	if s.Status == ActionDone || s.Status == ActionAbandoned {
		return false
	}
	return s.Schedule.End != nil && s.Schedule.End.Before(today)
}
