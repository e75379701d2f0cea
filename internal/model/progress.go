package model

// LateOn reports whether the step is late on day d: its schedule ends
// before d and it is neither done nor abandoned.
func (s Step) LateOn(d Date) bool {
	if s.Schedule.End == nil || s.Status == ActionDone || s.Status == ActionAbandoned {
		return false
	}
	return s.Schedule.End.Before(d)
}
