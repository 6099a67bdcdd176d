package docsite

import (
	"cmp"
	"slices"
	"strings"
)

// maxResults bounds the results a search page lists.
const maxResults = 200

// search returns the names containing q, ignoring case, best first: equal
// ignoring case, then names (or their part after the namespace) that
// start with q, then the rest; among equals, by kind (methods first),
// then shorter names first. total counts every match.
func search(q string) (results []entry, total int) {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return nil, 0
	}
	type scored struct {
		e     entry
		score int
	}
	var found []scored
	for _, e := range names().entries {
		i := strings.Index(e.lower, q)
		if i < 0 {
			continue
		}
		short := e.lower[strings.LastIndexByte(e.lower, '.')+1:]
		s := 3
		switch {
		case e.lower == q:
			s = 0
		case i == 0 || strings.HasPrefix(short, q):
			s = 1
		case strings.Contains(short, q):
			s = 2
		}
		found = append(found, scored{e, s})
	}
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(
			cmp.Compare(a.score, b.score),
			cmp.Compare(a.e.Kind, b.e.Kind),
			cmp.Compare(len(a.e.Name), len(b.e.Name)),
			strings.Compare(a.e.Name, b.e.Name),
		)
	})
	total = len(found)
	for _, s := range found[:min(total, maxResults)] {
		results = append(results, s.e)
	}
	return results, total
}
