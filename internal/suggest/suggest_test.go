package suggest

import "testing"

func TestClosest(t *testing.T) {
	known := []string{"think", "turns", "timeout", "target", "max-users"}
	for in, want := range map[string]string{
		"thinktime": "think", "turn": "turns", "timout": "timeout", "tagret": "target",
		"max_users": "max-users", "zzzzzzzz": "", "": "",
	} {
		if got := Closest(in, known); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance(kitten, sitting) = %d, want 3", d)
	}
}
