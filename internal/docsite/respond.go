package docsite

import (
	"bytes"
	"hash/fnv"
	"net/http"
	"strconv"
	"time"
)

// Pages only change with the build: caches may keep them for an hour and
// revalidate them by ETag.
const cacheControl = "public, max-age=3600"

// contentSecurityPolicy allows the inline stylesheet and script and
// nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
}

// writePage renders and sends a page. A 200 goes through
// http.ServeContent, which answers If-None-Match (304) and HEAD.
func writePage(w http.ResponseWriter, r *http.Request, status int, title, query string, body content) {
	page := render(title, query, body)
	setHeaders(w)
	if status == http.StatusOK {
		h := fnv.New64a()
		h.Write(page)
		w.Header().Set("ETag", `"`+strconv.FormatUint(h.Sum64(), 36)+`"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(page)
	}
}

// redirect sends a redirect to a page of the site.
func redirect(w http.ResponseWriter, r *http.Request, to string, status int) {
	w.Header().Set("Cache-Control", cacheControl)
	http.Redirect(w, r, to, status)
}
