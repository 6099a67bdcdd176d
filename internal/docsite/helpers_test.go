package docsite

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// newServer serves Handler on 127.0.0.1, mounted as the gateway mounts it.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/docs", Handler())
	mux.Handle("/docs/", Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// response is a fetched page; text is its body with HTML entities decoded.
type response struct {
	status int
	header http.Header
	body   string
	text   string
}

// fetch requests a page without following redirects.
func fetch(t *testing.T, srv *httptest.Server, method, path string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b), html.UnescapeString(string(b))}
}

// page fetches a page that must be a 200 HTML page.
func page(t *testing.T, srv *httptest.Server, path string) response {
	t.Helper()
	r := fetch(t, srv, http.MethodGet, path)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	return r
}

// wantText checks that the decoded page text contains every string.
func wantText(t *testing.T, path string, r response, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.text, w) {
			t.Errorf("%s lacks %q", path, w)
		}
	}
}

// wantHTML checks that the raw HTML contains every string.
func wantHTML(t *testing.T, path string, r response, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s lacks HTML %q", path, w)
		}
	}
}

var hrefRE = regexp.MustCompile(`href="([^"]*)"`)

// links are the href targets of a page, decoded.
func links(body string) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}
