package docsite

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// internalTarget says whether a link points into the site, and its path.
func internalTarget(link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/docs") {
		return "", false
	}
	return u.Path, true
}

// Every name of the index has a page, and every link of every page points
// to a page that exists.
func TestEveryNameServes(t *testing.T) {
	h := Handler()
	start := time.Now()
	seen := map[string]bool{}
	for _, e := range names().entries {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, href(e.Name), nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s (%s): %d", e.Name, e.Kind, rec.Code)
		}
		for _, l := range links(rec.Body.String()) {
			p, ok := internalTarget(l)
			if !ok {
				t.Fatalf("%s links outside the site: %q", e.Name, l)
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			if p == "/docs/" {
				continue
			}
			if _, ok := kindOf(strings.TrimPrefix(p, "/docs/")); !ok {
				t.Fatalf("%s links to %q, which has no page", e.Name, l)
			}
		}
	}
	n := len(names().entries)
	if n < 2500 {
		t.Fatalf("only %d names", n)
	}
	t.Logf("%d pages in %v (%v a page), %d distinct link targets", n, time.Since(start), time.Since(start)/time.Duration(n), len(seen))
}

// A crawler starting at /docs/ over HTTP finds no broken link among the
// first pages it reaches.
func TestLinkChecker(t *testing.T) {
	const maxPages = 300
	srv := newServer(t)
	queue := []string{"/docs/"}
	queued := map[string]bool{"/docs/": true}
	checked := 0
	for len(queue) > 0 && checked < maxPages {
		p := queue[0]
		queue = queue[1:]
		r := fetch(t, srv, http.MethodGet, p)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d (linked, but not a page)", p, r.status)
		}
		checked++
		for _, l := range links(r.body) {
			target, ok := internalTarget(l)
			if !ok {
				t.Fatalf("%s links outside the site: %q", p, l)
			}
			if !queued[target] {
				queued[target] = true
				queue = append(queue, (&url.URL{Path: target}).EscapedPath())
			}
		}
	}
	if checked < maxPages {
		t.Fatalf("reached only %d pages", checked)
	}
}
