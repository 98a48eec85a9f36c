package pb_migrations

import "testing"

func TestWithoutResolverForgetsTheEmail(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"resolved by hand by ops@example.com", "resolved by hand"},
		{"resolved by hand by ops@example.com: typed in: twice", "resolved by hand: typed in: twice"},
	} {
		if got := withoutResolver(c.in); got != c.want {
			t.Errorf("%q -> %q, want %q", c.in, got, c.want)
		}
	}
}
