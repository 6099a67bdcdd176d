package apidocgen

import (
	"strings"
	"testing"

	"github.com/gotd/getdoc"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Message entities¹ for sending styled text":             "Message entities for sending styled text",
		"see here »¹² for more info":                            "see here for more info",
		"paid messages\u00a0»: this error is emitted.  .":       "paid messages: this error is emitted.",
		"active until unixtime %d .":                            "active until unixtime %d.",
		"  spaced\t out  ":                                      "spaced out",
		"Quote (equivalent to the HTML <blockquote>)":           "Quote (equivalent to the HTML <blockquote>)",
		"account.updateBusinessLocation\u00a0».  .":             "account.updateBusinessLocation.",
		"Specifies a message effect »¹ to use for the message.": "Specifies a message effect to use for the message.",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

const testCSV = "method,usability,errors\n" +
	"a.one,user,E_CSV E_GLOBAL\n" +
	"a.csvOnly,bot,\n"

func testDoc() *getdoc.Doc {
	return &getdoc.Doc{
		Index: getdoc.Index{Layer: Layer},
		Methods: map[string]getdoc.Method{
			"a.one": {
				Name:        "a.one",
				Description: []string{"First¹ paragraph.", "Second."},
				Parameters:  map[string]getdoc.ParamDescription{"x": {Name: "x", Description: "The x²"}},
				Errors:      []getdoc.Error{{Code: 400, Type: "E_DOC", Description: "Doc error."}},
			},
			"a.two": {Name: "a.two", Description: []string{"Two."}, BotCanUse: true},
		},
		Constructors: map[string]getdoc.Constructor{
			"ctor": {Name: "ctor", Description: []string{"C."}, Fields: map[string]getdoc.ParamDescription{"f": {Description: "F."}}},
		},
		Types:  map[string]getdoc.Type{"T": {Name: "T", Description: []string{"A type."}}},
		Errors: map[string]getdoc.Error{"E_GLOBAL": {Type: "E_GLOBAL", Description: "Global."}},
	}
}

func TestGenerateMerge(t *testing.T) {
	extra := `{"methods":[{"name":"old.m","usability":"user","description":"Old.","params":{"p":"P."},
		"errors":[{"type":"E_X","description":"X."}]},
		{"name":"a.one","errors":[{"type":"E_CSV","description":"Hand-written."}]}],
		"types":[{"name":"T2","description":"T2."}]}`
	res, err := generate(testDoc(), "getdoc vX", []byte(testCSV), []byte(extra))
	if err != nil {
		t.Fatal(err)
	}
	want := "Ma.csvOnly\x1f\x1e" +
		"Ma.one\x1fFirst paragraph.\nSecond.\x1e" +
		"Px\x1fThe x\x1e" +
		"EE_CSV\x1fHand-written.\x1e" +
		"EE_DOC\x1fDoc error.\x1e" +
		"EE_GLOBAL\x1fGlobal.\x1e" +
		"Ma.two\x1fTwo.\x1e" +
		"Mold.m\x1fOld.\x1e" +
		"Pp\x1fP.\x1e" +
		"EE_X\x1fX.\x1e" +
		"Cctor\x1fC.\x1e" +
		"Pf\x1fF.\x1e" +
		"TT\x1fA type.\x1e" +
		"TT2\x1fT2.\x1e"
	if res.Payload != want {
		t.Errorf("payload:\n%q\nwant\n%q", res.Payload, want)
	}
	if wantU := "a.csvOnly bot\na.one user\nold.m user\n"; res.Usability != wantU {
		t.Errorf("usability = %q", res.Usability)
	}
	st := res.Stats
	if st.Methods != 4 || st.CSVOnlyMethods != 1 || st.GetdocBotCanUse != 1 || st.UsabilityKnown != 3 || st.MethodErrors != 4 {
		t.Errorf("stats = %+v", st)
	}
	if !strings.Contains(string(res.Source), "DO NOT EDIT.") {
		t.Error("no generated-code header")
	}
}

func TestGenerateRejects(t *testing.T) {
	for name, tc := range map[string][2]string{
		"contradicting usability": {testCSV, `{"methods":[{"name":"a.one","usability":"both"}]}`},
		"bad extra usability":     {testCSV, `{"methods":[{"name":"x.y","usability":"maybe"}]}`},
		"unknown extra field":     {testCSV, `{"method":[]}`},
		"bad csv usability":       {"method,usability,errors\na.b,robot,\n", `{}`},
		"duplicate csv row":       {"method,usability,errors\na.b,user,\na.b,user,\n", `{}`},
		"bad csv header":          {"name,usability,errors\n", `{}`},
	} {
		if _, err := generate(testDoc(), "v", []byte(tc[0]), []byte(tc[1])); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
