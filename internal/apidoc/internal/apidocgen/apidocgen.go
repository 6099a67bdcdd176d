// Package apidocgen is the core of the apidoc generator: it merges getdoc's
// scraped Telegram API documentation with the in-repo usability table and
// hand-written extras, and renders the compact apidoc_gen.go source.
//
// It lives in its own package so that both the generator command
// (internal/apidoc/gen) and the apidoc tests (which check that the committed
// file is up to date) can call it. Only those link getdoc's embedded data;
// the apidoc package itself never imports this package.
//
// # Payload format
//
// The documentation is serialized as a sequence of records, each terminated
// by RecordSep. A record starts with a one-byte kind, followed by a name,
// FieldSep and a description:
//
//	M<method name>␟<description>␞
//	C<constructor name>␟<description>␞
//	T<type name>␟<description>␞
//	P<param or field name>␟<description>␞   (belongs to the preceding M or C)
//	E<error type>␟<description>␞            (belongs to the preceding M)
//
// Descriptions are plain text; paragraphs are separated by "\n". Entries are
// sorted by kind (methods, constructors, types), then by name; params and
// errors are sorted by name. The payload is compressed with raw DEFLATE and
// base64-encoded (with line breaks, which the decoder ignores).
//
// Method usability is kept out of the payload in a separate, uncompressed
// "name usability" line table so that it can be consulted without inflating
// the documentation.
package apidocgen

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gotd/getdoc"
)

// Payload separators, see the package documentation.
const (
	RecordSep = '\x1e'
	FieldSep  = '\x1f'
)

// Layer is the getdoc documentation layer the table is generated from.
const Layer = 223

// Paths of the generator inputs, relative to the apidoc package directory.
const (
	UsabilityCSV = "data/method-usability.csv"
	ExtraJSON    = "data/extra.json"
)

const getdocModule = "github.com/gotd/getdoc"

// Error is one possible RPC error of a method.
type Error struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Method is the merged documentation of one method.
type Method struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Params      map[string]string `json:"params"`
	Errors      []Error           `json:"errors"`
	// Usability is "user", "bot", "both" or "" (unknown).
	Usability string `json:"usability"`
	// Source documents where a hand-written entry came from (extra.json only).
	Source string `json:"source"`
}

// Constructor is the documentation of one constructor.
type Constructor struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Fields      map[string]string `json:"fields"`
	Source      string            `json:"source"`
}

// Type is the documentation of one (abstract) type.
type Type struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Source      string `json:"source"`
}

// Extra is the format of data/extra.json.
type Extra struct {
	Comment      string        `json:"comment"`
	Methods      []Method      `json:"methods"`
	Constructors []Constructor `json:"constructors"`
	Types        []Type        `json:"types"`
}

// Stats summarizes a generated table.
type Stats struct {
	Methods          int // documented methods (getdoc, CSV and extras)
	Constructors     int
	Types            int
	MethodErrors     int // (method, error type) pairs
	ErrorsDescribed  int // of which have a description
	UsabilityKnown   int // methods with known usability
	CSVOnlyMethods   int // CSV methods getdoc's layer does not document
	GetdocBotCanUse  int // methods with getdoc's bot_can_use flag set (unused)
	PayloadBytes     int // uncompressed payload
	CompressedBytes  int // DEFLATE-compressed payload
	SourceBytes      int // generated Go source
	GetdocVersion    string
	GetdocDocLayer   int
	UsabilityCSVHash string
	ExtraJSONHash    string
}

// Result is the output of Generate.
type Result struct {
	Source    []byte // formatted apidoc_gen.go
	Payload   string // uncompressed documentation payload
	Usability string // usability table ("name usability\n" lines)
	Stats     Stats
}

// Generate builds apidoc_gen.go from getdoc's layer documentation and the
// data files under dir (the apidoc package directory).
func Generate(dir string) (*Result, error) {
	doc, err := getdoc.Load(Layer)
	if err != nil {
		return nil, fmt.Errorf("load getdoc layer %d: %w", Layer, err)
	}
	csvData, err := os.ReadFile(filepath.Join(dir, UsabilityCSV))
	if err != nil {
		return nil, err
	}
	extraData, err := os.ReadFile(filepath.Join(dir, ExtraJSON))
	if err != nil {
		return nil, err
	}
	version, err := getdocVersion(dir)
	if err != nil {
		return nil, err
	}
	return generate(doc, version, csvData, extraData)
}

type csvRow struct {
	usability string
	errors    []string
}

func parseCSV(data []byte) (map[string]csvRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 3
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", UsabilityCSV, err)
	}
	if len(records) == 0 || !slices.Equal(records[0], []string{"method", "usability", "errors"}) {
		return nil, fmt.Errorf("%s: unexpected header", UsabilityCSV)
	}
	rows := make(map[string]csvRow, len(records)-1)
	for _, rec := range records[1:] {
		name := strings.TrimSpace(rec[0])
		u := strings.TrimSpace(rec[1])
		if !validUsability(u) {
			return nil, fmt.Errorf("%s: %s: bad usability %q", UsabilityCSV, name, u)
		}
		if _, dup := rows[name]; dup {
			return nil, fmt.Errorf("%s: duplicate method %s", UsabilityCSV, name)
		}
		rows[name] = csvRow{usability: u, errors: strings.Fields(rec[2])}
	}
	return rows, nil
}

func validUsability(u string) bool {
	return u == "user" || u == "bot" || u == "both"
}

func parseExtra(data []byte) (*Extra, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e Extra
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%s: %w", ExtraJSON, err)
	}
	return &e, nil
}

func generate(doc *getdoc.Doc, getdocVersion string, csvData, extraData []byte) (*Result, error) {
	rows, err := parseCSV(csvData)
	if err != nil {
		return nil, err
	}
	extra, err := parseExtra(extraData)
	if err != nil {
		return nil, err
	}
	var st Stats
	st.GetdocVersion = getdocVersion
	st.GetdocDocLayer = doc.Index.Layer
	st.UsabilityCSVHash = shortHash(csvData)
	st.ExtraJSONHash = shortHash(extraData)

	// Global error descriptions, used when a method's own page lacks one.
	globalErr := make(map[string]string, len(doc.Errors))
	for k, e := range doc.Errors {
		globalErr[k] = clean(e.Description)
	}

	methods := make(map[string]*Method)
	for name, m := range doc.Methods {
		if m.BotCanUse {
			st.GetdocBotCanUse++
		}
		out := &Method{
			Name:        name,
			Description: cleanParagraphs(m.Description),
			Params:      make(map[string]string, len(m.Parameters)),
		}
		for pn, p := range m.Parameters {
			out.Params[strings.TrimSpace(pn)] = clean(p.Description)
		}
		for _, e := range m.Errors {
			out.Errors = addError(out.Errors, e.Type, clean(e.Description), false)
		}
		methods[name] = out
	}
	for name, row := range rows {
		m, ok := methods[name]
		if !ok {
			st.CSVOnlyMethods++
			m = &Method{Name: name, Params: map[string]string{}}
			methods[name] = m
		}
		m.Usability = row.usability
		for _, t := range row.errors {
			m.Errors = addError(m.Errors, t, "", false)
		}
	}
	for _, x := range extra.Methods {
		if x.Name == "" {
			return nil, fmt.Errorf("%s: method without name", ExtraJSON)
		}
		m, ok := methods[x.Name]
		if !ok {
			m = &Method{Name: x.Name, Params: map[string]string{}}
			methods[x.Name] = m
		}
		if x.Usability != "" {
			if !validUsability(x.Usability) {
				return nil, fmt.Errorf("%s: %s: bad usability %q", ExtraJSON, x.Name, x.Usability)
			}
			if row, ok := rows[x.Name]; ok && row.usability != x.Usability {
				return nil, fmt.Errorf("%s: %s: usability %q contradicts %s (%q)",
					ExtraJSON, x.Name, x.Usability, UsabilityCSV, row.usability)
			}
			m.Usability = x.Usability
		}
		if d := clean(x.Description); d != "" {
			m.Description = d
		}
		for pn, pd := range x.Params {
			m.Params[pn] = clean(pd)
		}
		for _, e := range x.Errors {
			m.Errors = addError(m.Errors, e.Type, clean(e.Description), true)
		}
	}
	for _, m := range methods {
		for i, e := range m.Errors {
			if e.Description == "" {
				m.Errors[i].Description = globalErr[e.Type]
			}
		}
		sort.Slice(m.Errors, func(i, j int) bool { return m.Errors[i].Type < m.Errors[j].Type })
		st.MethodErrors += len(m.Errors)
		for _, e := range m.Errors {
			if e.Description != "" {
				st.ErrorsDescribed++
			}
		}
		if m.Usability != "" {
			st.UsabilityKnown++
		}
	}

	ctors := make(map[string]*Constructor, len(doc.Constructors))
	for name, c := range doc.Constructors {
		out := &Constructor{
			Name:        name,
			Description: cleanParagraphs(c.Description),
			Fields:      make(map[string]string, len(c.Fields)),
		}
		for fn, f := range c.Fields {
			out.Fields[strings.TrimSpace(fn)] = clean(f.Description)
		}
		ctors[name] = out
	}
	for _, x := range extra.Constructors {
		if x.Name == "" {
			return nil, fmt.Errorf("%s: constructor without name", ExtraJSON)
		}
		c, ok := ctors[x.Name]
		if !ok {
			c = &Constructor{Name: x.Name, Fields: map[string]string{}}
			ctors[x.Name] = c
		}
		if d := clean(x.Description); d != "" {
			c.Description = d
		}
		for fn, fd := range x.Fields {
			c.Fields[fn] = clean(fd)
		}
	}

	types := make(map[string]*Type, len(doc.Types))
	for name, t := range doc.Types {
		types[name] = &Type{Name: name, Description: cleanParagraphs(t.Description)}
	}
	for _, x := range extra.Types {
		if x.Name == "" {
			return nil, fmt.Errorf("%s: type without name", ExtraJSON)
		}
		t, ok := types[x.Name]
		if !ok {
			t = &Type{Name: x.Name}
			types[x.Name] = t
		}
		if d := clean(x.Description); d != "" {
			t.Description = d
		}
	}
	st.Methods, st.Constructors, st.Types = len(methods), len(ctors), len(types)

	// Serialize.
	var p strings.Builder
	rec := func(kind byte, name, desc string) {
		p.WriteByte(kind)
		p.WriteString(name)
		p.WriteByte(FieldSep)
		p.WriteString(desc)
		p.WriteByte(RecordSep)
	}
	var usab strings.Builder
	for _, name := range sortedKeys(methods) {
		m := methods[name]
		rec('M', name, m.Description)
		for _, pn := range sortedKeys(m.Params) {
			rec('P', pn, m.Params[pn])
		}
		for _, e := range m.Errors {
			rec('E', e.Type, e.Description)
		}
		if m.Usability != "" {
			fmt.Fprintf(&usab, "%s %s\n", name, m.Usability)
		}
	}
	for _, name := range sortedKeys(ctors) {
		c := ctors[name]
		rec('C', name, c.Description)
		for _, fn := range sortedKeys(c.Fields) {
			rec('P', fn, c.Fields[fn])
		}
	}
	for _, name := range sortedKeys(types) {
		rec('T', name, types[name].Description)
	}
	payload := p.String()
	if err := checkPayload(payload); err != nil {
		return nil, err
	}

	var z bytes.Buffer
	zw, err := flate.NewWriter(&z, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(zw, payload); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	st.PayloadBytes = len(payload)
	st.CompressedBytes = z.Len()

	src, err := render(&st, usab.String(), base64.StdEncoding.EncodeToString(z.Bytes()))
	if err != nil {
		return nil, err
	}
	st.SourceBytes = len(src)
	return &Result{Source: src, Payload: payload, Usability: usab.String(), Stats: st}, nil
}

// addError adds an error type to errs; an existing entry gets the new
// description if it has none or if override is set.
func addError(errs []Error, typ, desc string, override bool) []Error {
	typ = strings.TrimSpace(typ)
	if typ == "" {
		return errs
	}
	for i := range errs {
		if errs[i].Type == typ {
			if desc != "" && (errs[i].Description == "" || override) {
				errs[i].Description = desc
			}
			return errs
		}
	}
	return append(errs, Error{Type: typ, Description: desc})
}

// checkPayload verifies that names and texts did not smuggle separators or
// control characters into the payload.
func checkPayload(p string) error {
	for _, r := range strings.Split(strings.TrimSuffix(p, string(RecordSep)), string(RecordSep)) {
		name, desc, ok := strings.Cut(r, string(FieldSep))
		if !ok || len(name) < 2 || strings.ContainsRune(desc, FieldSep) {
			return fmt.Errorf("bad payload record %q", r)
		}
		if strings.ContainsFunc(name, func(c rune) bool { return c < ' ' }) || name != strings.TrimSpace(name) {
			return fmt.Errorf("bad name in payload record %q", r)
		}
		if strings.ContainsFunc(desc, func(c rune) bool { return c < ' ' && c != '\n' }) {
			return fmt.Errorf("control character in payload record %q", r)
		}
	}
	return nil
}

var (
	// getdoc replaces every link with a superscript index ("entities¹").
	superscripts = regexp.MustCompile(`[⁰¹²³⁴⁵⁶⁷⁸⁹]+`)
	// "»" marks a link to a longer article ("see here »¹ for more info").
	linkArrow = regexp.MustCompile(`\s*»`)
	// Leftovers of removed inline content: "messages. ." / "until %d .".
	danglingDots = regexp.MustCompile(`([.!?])(?:\s\.)+$`)
	spaceDot     = regexp.MustCompile(`\s+\.$`)
)

// clean turns one getdoc text into plain, single-line text.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	s = superscripts.ReplaceAllString(s, "")
	s = linkArrow.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	s = danglingDots.ReplaceAllString(s, "$1")
	s = spaceDot.ReplaceAllString(s, ".")
	return s
}

// cleanParagraphs cleans each paragraph and joins them with "\n".
func cleanParagraphs(ps []string) string {
	var out []string
	for _, p := range ps {
		if c := clean(p); c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, "\n")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func shortHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// getdocVersion reports the getdoc version required by the enclosing
// module's go.mod (build information is not used: test binaries lack it).
func getdocVersion(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			for line := range strings.Lines(string(data)) {
				f := strings.Fields(line)
				if len(f) > 0 && f[0] == "require" {
					f = f[1:]
				}
				if len(f) >= 2 && f[0] == getdocModule {
					return f[0] + " " + f[1], nil
				}
			}
			return "", fmt.Errorf("%s: %s not required", filepath.Join(d, "go.mod"), getdocModule)
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", abs)
		}
	}
}

func render(st *Stats, usability, blob string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by go run ./gen (go generate ./internal/apidoc); DO NOT EDIT.
//
// Sources:
//   - Descriptions of methods, constructors, types, parameters and fields, and
//     method errors with their descriptions: %s (go.mod), its embedded
//     scrape of core.telegram.org for layer %d (getdoc.Load(%d)). Links are
//     stripped (getdoc's superscript link markers and "»").
//   - Method usability (user/bot/both) and additional error types:
//     %s (sha256 %s), a copy of the project's shared
//     method-usability.csv, a community-maintained table taken at layer 190.
//     Methods without a row have unknown usability. getdoc's bot_can_use flag
//     is not used (%d of getdoc's methods have it set in this layer).
//     Descriptions of CSV-only error types come from getdoc's error list
//     when it has one.
//   - Hand-written entries (e.g. the legacy auth.sendInvites): %s
//     (sha256 %s).
//
// Contents: %d methods (%d with known usability, %d not in getdoc's layer),
// %d constructors, %d types, %d method errors (%d with a description).
// Payload: %d bytes, %d bytes compressed.

package apidoc

// usabilityTable lists "method usability" lines, sorted by method name.
const usabilityTable = `+"`",
		st.GetdocVersion, st.GetdocDocLayer, Layer,
		UsabilityCSV, st.UsabilityCSVHash, st.GetdocBotCanUse,
		ExtraJSON, st.ExtraJSONHash,
		st.Methods, st.UsabilityKnown, st.CSVOnlyMethods,
		st.Constructors, st.Types, st.MethodErrors, st.ErrorsDescribed,
		st.PayloadBytes, st.CompressedBytes)
	b.WriteString(usability)
	b.WriteString("`\n\n// docBlob is the base64-encoded, raw-DEFLATE-compressed documentation payload\n// (format: see internal/apidoc/internal/apidocgen).\nconst docBlob = `\n")
	const width = 100
	for len(blob) > 0 {
		n := min(width, len(blob))
		b.WriteString(blob[:n])
		b.WriteByte('\n')
		blob = blob[n:]
	}
	b.WriteString("`\n")
	return format.Source(b.Bytes())
}
