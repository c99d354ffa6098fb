// Command gen computes the expected results of the template cases with Go's
// text/template and confd's functions (written here after confd's
// resource/template/template_funcs.go), plus etcdwatch's documented extensions.
//
//	cd tests/template/gen && GOFLAGS=-mod=mod GOPROXY=off go run . ../cases.txt ../expected.json
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"etcdwatch/tests/template/gen/memkv"
)

// The fixed clock the C runner injects through its `now` hook.
var fixedNow = time.Date(2015, 1, 23, 13, 34, 56, 93250283, time.FixedZone("PST", -8*3600))

// The file the runner creates for fileExists cases.
const existingFile = "/tmp/etcdwatch-template-test-file"

type testCase struct {
	name     string
	template string
	keys     [][2]string
	env      [][2]string
	files    map[string]string
}

type result struct {
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

func parseCases(file string) ([]*testCase, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var cases []*testCase
	var cur *testCase
	var section string
	var lines []string
	flush := func() error {
		if cur == nil || section == "" {
			return nil
		}
		text := strings.Join(lines, "\n")
		switch {
		case section == "template":
			cur.template = text
		case section == "keys":
			for _, l := range lines {
				if l == "" {
					continue
				}
				k, v, _ := strings.Cut(l, " ")
				if strings.HasPrefix(v, "\"") {
					u, err := strconv.Unquote(v)
					if err != nil {
						return fmt.Errorf("%s: bad quoted value %s", cur.name, v)
					}
					v = u
				}
				cur.keys = append(cur.keys, [2]string{k, v})
			}
		case strings.HasPrefix(section, "file: "):
			cur.files[strings.TrimPrefix(section, "file: ")] = text
		default:
			return fmt.Errorf("%s: unknown section %q", cur.name, section)
		}
		section, lines = "", nil
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "=== "):
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &testCase{name: strings.TrimPrefix(l, "=== "), files: map[string]string{}}
			cases = append(cases, cur)
		case strings.HasPrefix(l, "--- "):
			if err := flush(); err != nil {
				return nil, err
			}
			section = strings.TrimPrefix(l, "--- ")
			// one-line sections: "--- env: NAME=VALUE", "--- opts: ..." (C runner only)
			if strings.HasPrefix(section, "env: ") {
				k, v, _ := strings.Cut(strings.TrimPrefix(section, "env: "), "=")
				cur.env = append(cur.env, [2]string{k, v})
				section = ""
			} else if strings.HasPrefix(section, "opts: ") {
				section = ""
			}
		default:
			if section != "" {
				lines = append(lines, l)
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return cases, sc.Err()
}

// ---- confd's functions -----------------------------------------------------

func getenv(key string, v ...string) string {
	defaultValue := ""
	if len(v) > 0 {
		defaultValue = v[0]
	}
	value := os.Getenv(key)
	if value == "" {
		return defaultValue
	}
	return value
}

func createMap(values ...interface{}) (map[string]interface{}, error) {
	if len(values)%2 != 0 {
		return nil, errors.New("invalid map call")
	}
	dict := make(map[string]interface{}, len(values)/2)
	for i := 0; i < len(values); i += 2 {
		key, ok := values[i].(string)
		if !ok {
			return nil, errors.New("map keys must be strings")
		}
		dict[key] = values[i+1]
	}
	return dict, nil
}

func unmarshalJSONObject(data string) (map[string]interface{}, error) {
	var ret map[string]interface{}
	err := json.Unmarshal([]byte(data), &ret)
	return ret, err
}

func unmarshalJSONArray(data string) ([]interface{}, error) {
	var ret []interface{}
	err := json.Unmarshal([]byte(data), &ret)
	return ret, err
}

func lookupIP(data string) []string {
	ips, err := net.LookupIP(data)
	if err != nil {
		return nil
	}
	ipStrings := make([]string, len(ips))
	for i, ip := range ips {
		ipStrings[i] = ip.String()
	}
	sort.Strings(ipStrings)
	return ipStrings
}

func lookupIPV6(data string) []string {
	var addresses []string
	for _, ip := range lookupIP(data) {
		if strings.Contains(ip, ":") {
			addresses = append(addresses, ip)
		}
	}
	return addresses
}

func lookupIPV4(data string) []string {
	var addresses []string
	for _, ip := range lookupIP(data) {
		if strings.Contains(ip, ".") {
			addresses = append(addresses, ip)
		}
	}
	return addresses
}

type sortSRV []*net.SRV

func (s sortSRV) Len() int      { return len(s) }
func (s sortSRV) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s sortSRV) Less(i, j int) bool {
	str1 := fmt.Sprintf("%s%d%d%d", s[i].Target, s[i].Port, s[i].Priority, s[i].Weight)
	str2 := fmt.Sprintf("%s%d%d%d", s[j].Target, s[j].Port, s[j].Priority, s[j].Weight)
	return str1 < str2
}

func lookupSRV(service, proto, name string) []*net.SRV {
	_, addrs, err := net.LookupSRV(service, proto, name)
	if err != nil {
		return []*net.SRV{}
	}
	sort.Sort(sortSRV(addrs))
	return addrs
}

func isFileExist(fpath string) bool {
	if _, err := os.Stat(fpath); os.IsNotExist(err) {
		return false
	}
	return true
}

func base64Encode(data string) string { return base64.StdEncoding.EncodeToString([]byte(data)) }

func base64Decode(data string) (string, error) {
	s, err := base64.StdEncoding.DecodeString(data)
	return string(s), err
}

func seq(first, last int) []int {
	var arr []int
	for i := first; i <= last; i++ {
		arr = append(arr, i)
	}
	return arr
}

type byLengthKV []memkv.KVPair

func (s byLengthKV) Len() int           { return len(s) }
func (s byLengthKV) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s byLengthKV) Less(i, j int) bool { return len(s[i].Key) < len(s[j].Key) }

func sortKVByLength(values []memkv.KVPair) []memkv.KVPair {
	sort.Sort(byLengthKV(values))
	return values
}

type byLength []string

func (s byLength) Len() int           { return len(s) }
func (s byLength) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s byLength) Less(i, j int) bool { return len(s[i]) < len(s[j]) }

func sortByLength(values []string) []string {
	sort.Sort(byLength(values))
	return values
}

func reverse(values interface{}) interface{} {
	switch v := values.(type) {
	case []string:
		for left, right := 0, len(v)-1; left < right; left, right = left+1, right-1 {
			v[left], v[right] = v[right], v[left]
		}
	case []memkv.KVPair:
		for left, right := 0, len(v)-1; left < right; left, right = left+1, right-1 {
			v[left], v[right] = v[right], v[left]
		}
	}
	return values
}

func confdFuncs() template.FuncMap {
	m := template.FuncMap{}
	m["base"] = path.Base
	m["split"] = strings.Split
	m["json"] = unmarshalJSONObject
	m["jsonArray"] = unmarshalJSONArray
	m["dir"] = path.Dir
	m["map"] = createMap
	m["getenv"] = getenv
	m["join"] = strings.Join
	m["datetime"] = func() time.Time { return fixedNow }
	m["toUpper"] = strings.ToUpper
	m["toLower"] = strings.ToLower
	m["contains"] = strings.Contains
	m["replace"] = strings.Replace
	m["trimSuffix"] = strings.TrimSuffix
	m["lookupIP"] = lookupIP
	m["lookupIPV4"] = lookupIPV4
	m["lookupIPV6"] = lookupIPV6
	m["lookupSRV"] = lookupSRV
	m["fileExists"] = isFileExist
	m["base64Encode"] = base64Encode
	m["base64Decode"] = base64Decode
	m["parseBool"] = strconv.ParseBool
	m["reverse"] = reverse
	m["sortByLength"] = sortByLength
	m["sortKVByLength"] = sortKVByLength
	m["add"] = func(a, b int) int { return a + b }
	m["sub"] = func(a, b int) int { return a - b }
	m["div"] = func(a, b int) int { return a / b }
	m["mod"] = func(a, b int) int { return a % b }
	m["mul"] = func(a, b int) int { return a * b }
	m["seq"] = seq
	m["atoi"] = strconv.Atoi
	return m
}

// ---- etcdwatch's extensions (documented in watcher/template/template.h) ----

func isEmpty(v interface{}) bool {
	if v == nil {
		return true
	}
	switch x := v.(type) {
	case string:
		return x == ""
	case bool:
		return !x
	case int:
		return x == 0
	case float64:
		return x == 0
	case []string:
		return len(x) == 0
	case []interface{}:
		return len(x) == 0
	case []int:
		return len(x) == 0
	case map[string]interface{}:
		return len(x) == 0
	case memkv.KVPairs:
		return len(x) == 0
	case []memkv.KVPair:
		return len(x) == 0
	}
	return false
}

func dfault(d interface{}, given ...interface{}) interface{} {
	if len(given) == 0 || isEmpty(given[0]) {
		return d
	}
	return given[0]
}

func indent(spaces int, s string) (string, error) {
	if spaces < 0 || spaces > 4096 {
		return "", fmt.Errorf("indent: width %d out of range", spaces)
	}
	pad := strings.Repeat(" ", spaces)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad), nil
}

func toJSON(v interface{}) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func hasKey(m interface{}, key string) (bool, error) {
	mm, ok := m.(map[string]interface{})
	if !ok {
		return false, fmt.Errorf("hasKey: %s is not a map", typeName(m))
	}
	_, ok = mm[key]
	return ok, nil
}

func keys(m interface{}) ([]string, error) {
	mm, ok := m.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("keys: %s is not a map", typeName(m))
	}
	ks := make([]string, 0, len(mm))
	for k := range mm {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks, nil
}

func typeName(v interface{}) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T", v)
}

func extFuncs(c *testCase, store memkv.Store, stack []string) template.FuncMap {
	m := template.FuncMap{}
	m["default"] = dfault
	m["trimPrefix"] = strings.TrimPrefix
	m["indent"] = indent
	m["quote"] = strconv.Quote
	m["toJson"] = toJSON
	m["hasKey"] = hasKey
	m["keys"] = keys
	m["include"] = func(name string, data ...interface{}) (string, error) {
		return include(c, store, stack, name, data...)
	}
	return m
}

func include(c *testCase, store memkv.Store, stack []string, name string, data ...interface{}) (string, error) {
	if name == "" || strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("%s: not a relative path in the templates directory", name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", fmt.Errorf("%s: path leaves the templates directory", name)
		}
	}
	for _, s := range stack {
		if s == name {
			return "", fmt.Errorf("%s: include cycle", name)
		}
	}
	text, ok := c.files[name]
	if !ok {
		return "", fmt.Errorf("%s: cannot load: no such template", name)
	}
	var dot interface{}
	if len(data) > 0 {
		dot = data[0]
	}
	return render(c, store, append(append([]string{}, stack...), name), name, text, dot)
}

func render(c *testCase, store memkv.Store, stack []string, name, text string, dot interface{}) (string, error) {
	t := template.New(name).Funcs(confdFuncs()).Funcs(store.FuncMap).Funcs(extFuncs(c, store, stack))
	t, err := t.Parse(text)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, dot); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func run(c *testCase) result {
	store := memkv.New()
	for _, kv := range c.keys {
		store.Set(kv[0], kv[1])
	}
	for _, e := range c.env {
		os.Setenv(e[0], e[1])
	}
	defer func() {
		for _, e := range c.env {
			os.Unsetenv(e[0])
		}
	}()
	out, err := render(c, store, nil, "t.tmpl", c.template, nil)
	if err != nil {
		msg := err.Error()
		return result{Error: &msg}
	}
	return result{Output: &out}
}

func main() {
	in, out := "../cases.txt", "../expected.json"
	if len(os.Args) == 3 {
		in, out = os.Args[1], os.Args[2]
	}
	if err := os.WriteFile(existingFile, []byte("x"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cases, err := parseCases(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	seen := map[string]bool{}
	results := map[string]result{}
	for _, c := range cases {
		if seen[c.name] {
			fmt.Fprintf(os.Stderr, "duplicate case %s\n", c.name)
			os.Exit(1)
		}
		seen[c.name] = true
		r := run(c)
		s := ""
		if r.Output != nil {
			s = *r.Output
		} else {
			s = *r.Error
		}
		if !utf8.ValidString(s) {
			fmt.Fprintf(os.Stderr, "case %s: result is not valid UTF-8\n", c.name)
			os.Exit(1)
		}
		results[c.name] = r
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d cases written to %s\n", len(cases), out)
}
