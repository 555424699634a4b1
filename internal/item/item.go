// Package item holds what a run delivers, in the order a session delivers
// it: a batch of the engine's events (the runtime trace's changes among
// them), or one probe sample. The fold, the verdicts, the recorder and the
// trace export each read the same items.
package item

import (
	"time"

	"mtviz/internal/event"
	"mtviz/internal/probe"
)

// Item is a batch of events, or one probe sample.
type Item struct {
	Events []event.Event `json:"events,omitempty"`
	Sample *probe.Sample `json:"sample,omitempty"`
}

// T is the time an item is about: its sample's, or its last event's.
func (it Item) T() time.Duration {
	if it.Sample != nil {
		return it.Sample.T
	}
	var t time.Duration
	for i := range it.Events {
		t = max(t, it.Events[i].T)
	}
	return t
}
