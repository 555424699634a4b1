package explore

import (
	"sort"
	"strings"
)

// dependent says two steps do not commute: they are the same task's, or
// they touch an object in common. Steps of two tasks on different objects
// can be swapped without changing what either sees or leaves.
func dependent(a, b Step) bool {
	if a.Task == b.Task {
		return true
	}
	for _, x := range a.Objects {
		for _, y := range b.Objects {
			if x == y {
				return true
			}
		}
	}
	return false
}

// canonical names an order's class: every order made from it by swapping
// neighbouring steps that commute has the same name. It is the order's
// Foata normal form: each step goes in the first layer after every step
// before it that it depends on, and each layer is sorted.
func canonical(steps []Step) string {
	level := make([]int, len(steps))
	top := 0
	for i := range steps {
		for j := 0; j < i; j++ {
			if level[j] >= level[i] && dependent(steps[i], steps[j]) {
				level[i] = level[j] + 1
			}
		}
		top = max(top, level[i]+1)
	}
	layers := make([][]string, top)
	for i, s := range steps {
		layers[level[i]] = append(layers[level[i]], s.Task+":"+s.Op+":"+strings.Join(s.Objects, ","))
	}
	var b strings.Builder
	for _, l := range layers {
		sort.Strings(l)
		b.WriteString(strings.Join(l, " "))
		b.WriteByte('|')
	}
	return b.String()
}
