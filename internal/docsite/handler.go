package docsite

import (
	"net/http"
	"strings"

	"github.com/tglua/tglua/luabind/schema"
)

// prefix is the path the reference lives under.
const prefix = "/docs/"

// Handler serves the reference when mounted at the root of a mux for the
// paths "/docs" and "/docs/...":
//
//	GET /docs            redirects to /docs/
//	GET /docs/           the index: search box, namespaces, methods
//	GET /docs/search?q=  names containing q (an exact name redirects to it)
//	GET /docs/<name>     a method, constructor, type, namespace or function
//
// A name that matches a page only ignoring case, or with a "tg." prefix,
// redirects to it; an unknown name gets a 404 page with suggestions. Only
// GET and HEAD are allowed.
func Handler() http.Handler { return http.HandlerFunc(serve) }

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Path
	switch {
	case path == "/docs":
		redirect(w, r, prefix, http.StatusMovedPermanently)
	case path == prefix:
		writePage(w, r, http.StatusOK, "Telegram API", "", newIndexPage())
	case path == prefix+"search":
		serveSearch(w, r)
	case strings.HasPrefix(path, prefix):
		serveName(w, r, path[len(prefix):])
	default:
		writePage(w, r, http.StatusNotFound, "Not found", "", newNotFoundPage(path))
	}
}

func serveSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	name := strings.TrimPrefix(q, "tg.")
	if _, ok := kindOf(name); ok {
		redirect(w, r, href(name), http.StatusFound)
		return
	}
	if c, ok := canonical(name); ok {
		redirect(w, r, href(c), http.StatusFound)
		return
	}
	writePage(w, r, http.StatusOK, "Search: "+q, q, newSearchPage(q))
}

// serveName serves the page of name, or redirects to its exact spelling.
func serveName(w http.ResponseWriter, r *http.Request, name string) {
	k, ok := kindOf(name)
	if !ok {
		alt := strings.TrimPrefix(name, "tg.")
		if _, ok := kindOf(alt); !ok {
			alt, ok = canonical(alt)
			if !ok {
				writePage(w, r, http.StatusNotFound, "Not found", name, newNotFoundPage(name))
				return
			}
		}
		redirect(w, r, href(alt), http.StatusMovedPermanently)
		return
	}
	switch k {
	case kindMethod:
		writePage(w, r, http.StatusOK, name, "", newMethodPage(schema.ByName(name)))
	case kindConstructor:
		writePage(w, r, http.StatusOK, name, "", newConstructorPage(schema.ByName(name)))
	case kindType:
		t, _ := schema.TypeByName(name)
		writePage(w, r, http.StatusOK, name, "", newTypePage(t))
	case kindNamespace:
		writePage(w, r, http.StatusOK, name, "", newNamespacePage(name))
	case kindBuiltin:
		writePage(w, r, http.StatusOK, name, "", newBuiltinPage(name))
	case kindBasic:
		writePage(w, r, http.StatusOK, name, "", newBasicPage(name))
	default:
		writePage(w, r, http.StatusOK, name, "", newDocOnlyPage(name))
	}
}
