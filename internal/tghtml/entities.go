package tghtml

//go:generate go run ./internal/entitygen -o entities_table.go

// lookupEntity returns the replacement of the named character reference
// name ("amp;", or "amp" for one of the legacy names without ';'), as
// golang.org/x/net/html's entity and entity2 maps would, by a binary
// search of the generated table.
func lookupEntity(name string) (string, bool) {
	lo, hi := 0, entityCount
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if entityName(m) < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < entityCount && entityName(lo) == name {
		return entityValue(lo), true
	}
	return "", false
}

// entityName is the name of the table's entry i.
func entityName(i int) string {
	start := 0
	if i > 0 {
		start = int(entityNameEnd[i-1])
	}
	return entityNames[start:entityNameEnd[i]]
}

// entityValue is the replacement of the table's entry i.
func entityValue(i int) string {
	start := 0
	if i > 0 {
		start = int(entityValueEnd[i-1])
	}
	return entityValues[start:entityValueEnd[i]]
}
