package docpage

import "strings"

// The scalar example values, picked by parameter name so that an example
// reads like a real call: limit=10, phone='+15550001', user_id=42.

// literal is a number or a boolean.
func literal(s string) Value { return Value{Kind: ValueLiteral, Text: s} }

// text is a string of contents s.
func text(s string) Value { return Value{Kind: ValueString, Text: s} }

// intValue is the example of an int parameter called name.
func intValue(name string) Value {
	switch {
	case name == "limit":
		return literal("10")
	case strings.HasSuffix(name, "date"):
		return Value{Kind: ValueNow}
	case name == "api_id":
		return literal("12345")
	case name == "id" || strings.HasSuffix(name, "_id"):
		return literal("42")
	}
	return literal("0")
}

// longValue is the example of a long parameter called name.
func longValue(name string) Value {
	switch {
	case name == "hash" || strings.HasSuffix(name, "_hash"):
		return literal("0")
	case name == "id" || strings.HasSuffix(name, "_id"):
		return literal("1234567890")
	}
	return literal("0")
}

// stringValue is the example of a string parameter called name.
func stringValue(name string) Value {
	switch {
	case strings.Contains(name, "phone"):
		return text("+15550001")
	case name == "message" || name == "text" || name == "caption":
		return text("Hello")
	case strings.Contains(name, "username"):
		return text("username")
	case name == "title" || name == "first_name" || name == "last_name":
		return text("Title")
	case strings.Contains(name, "url"):
		return text("https://example.com")
	case name == "q" || name == "query":
		return text("query")
	case name == "api_hash":
		return text("0123456789abcdef0123456789abcdef")
	case name == "lang_code":
		return text("en")
	}
	return text("text")
}

// singular strips a plural "s" so that vector elements get a fitting
// literal (phone_numbers -> phone_number).
func singular(name string) string {
	if strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss") {
		return name[:len(name)-1]
	}
	return name
}
