package connectors

// CloneData returns a copy of a record that shares no map or list with it,
// for a caller that hands a record over (as [WriteRequest.Data], which the
// writer then owns) and goes on using its own. Other values (texts, numbers,
// times) are immutable and are shared.
func CloneData(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return cloneValue(m).(map[string]any)
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
