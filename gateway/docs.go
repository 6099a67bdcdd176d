package gateway

import (
	"net/http"

	"github.com/tglua/tglua/internal/docsite"
)

// docsHandler serves the method reference under /docs/.
func docsHandler() http.Handler { return docsite.Handler() }
