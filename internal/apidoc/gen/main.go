// Command gen writes internal/apidoc/apidoc_gen.go. It is run by
// `go generate ./internal/apidoc` from the apidoc package directory; see
// package apidocgen for what it merges and how the table is encoded.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/tglua/tglua/internal/apidoc/internal/apidocgen"
)

func main() {
	dir := flag.String("dir", ".", "apidoc package directory (holds data/)")
	out := flag.String("o", "apidoc_gen.go", "output file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("apidoc gen: ")

	res, err := apidocgen.Generate(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, res.Source, 0o644); err != nil {
		log.Fatal(err)
	}
	st := res.Stats
	fmt.Fprintf(os.Stderr, "apidoc gen: wrote %s (%d bytes): %d methods (%d with known usability, %d CSV-only), "+
		"%d constructors, %d types, %d method errors (%d described); payload %d -> %d bytes; %s\n",
		*out, st.SourceBytes, st.Methods, st.UsabilityKnown, st.CSVOnlyMethods,
		st.Constructors, st.Types, st.MethodErrors, st.ErrorsDescribed,
		st.PayloadBytes, st.CompressedBytes, st.GetdocVersion)
	if st.GetdocBotCanUse > 0 {
		fmt.Fprintf(os.Stderr, "apidoc gen: note: getdoc marks %d methods bot_can_use; the flag is not used (CSV is authoritative)\n",
			st.GetdocBotCanUse)
	}
}
