package topology

import (
	"fmt"
	"go/types"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// SDK packages whose client calls become IAM actions.
const (
	dynamodbPkg      = "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamodbTypesPkg = "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	s3Pkg            = "github.com/aws/aws-sdk-go-v2/service/s3"
)

// Every function's topology entry grants exactly the DynamoDB and S3 actions
// its code can take, function by function: nothing it calls is missing (it
// would fail in AWS with AccessDenied), and nothing granted goes unused.
//
// The calls are found statically. From every function of the function's own
// package (the handler, and main, which wires the SDK clients), the analysis
// follows static calls, interface calls (to the methods of every type the
// reachable code converts to an interface) and calls of function values (to
// every function the reachable code takes as a value), into shared/. It
// stops at the SDK: a reachable method of the DynamoDB or S3 client is an
// API call. A TransactWriteItems call needs the IAM action of each kind of
// item the reachable code builds (Put → PutItem, ConditionCheck →
// ConditionCheckItem, ...), as IAM authorizes a transaction item by item.
func TestFunctionGrantsAreExactlyTheCallsItsCodeMakes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and analyses every function (a few seconds)")
	}
	calls := analyseCalls(t)
	for _, f := range App.EveryFunction() {
		got, ok := calls[f.Name]
		if !ok {
			t.Errorf("function %s: its package was not analysed", f.Name)
			continue
		}
		granted := map[string]bool{}
		for table, actions := range f.Tables {
			for _, a := range actions {
				granted[fmt.Sprintf("dynamodb:%s on table %s", a, table)] = true
			}
		}
		for bucket, actions := range f.Buckets {
			for _, a := range actions {
				granted[fmt.Sprintf("s3:%s on bucket %s", a, bucket)] = true
			}
		}
		// The audit table's grants (grantAudit in package infra): Read is
		// Query, Append is Query and PutItem, so that a function that only
		// appends events needs no PutItem on the app table.
		// Append's Query is the audit table's fixed pair (only PutItem and
		// Query on it, never Update or Delete): a function that appends
		// without reading the trail leaves it unused.
		optional := map[string]bool{}
		switch f.Audit {
		case Read:
			granted["dynamodb:Query on table "+App.Audit.Name] = true
		case Append:
			granted["dynamodb:Query on table "+App.Audit.Name] = true
			granted["dynamodb:PutItem on table "+App.Audit.Name] = true
			optional["dynamodb:Query on table "+App.Audit.Name] = true
		}
		// The analysis sees the service, not which table or bucket a call
		// names: a call is covered when some table (bucket) of the function
		// grants it, and a grant is used when the code makes that call.
		for _, action := range got {
			service, _, _ := strings.Cut(action, ":")
			if !slices.ContainsFunc(keys(granted), func(g string) bool {
				return strings.HasPrefix(g, action+" on ") || strings.HasPrefix(g, versioned[action]+" on ")
			}) {
				t.Errorf("function %s calls %s, which its topology entry does not grant (%s)", f.Name, action, service)
			}
		}
		for g := range granted {
			if optional[g] {
				continue
			}
			action, _, _ := strings.Cut(g, " on ")
			if !slices.Contains(got, action) && !slices.ContainsFunc(got, func(c string) bool { return versioned[c] == action }) {
				t.Errorf("function %s is granted %s, which its code never calls", f.Name, g)
			}
		}
	}
}

// The analysis itself finds what it must: a fixture package whose handler
// reaches DynamoDB through an interface, a transaction of a put and a
// condition check, a function value, and S3; and not a method nobody calls.
func TestTheCallAnalysisFollowsInterfacesTransactionsAndFunctionValues(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a fixture package")
	}
	got := analysePackages(t, "./infra/topology/testdata/calls", "./infra/topology/testdata/calls/store")
	want := []string{"dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "s3:GetObject"}
	if a := got["calls"]; !slices.Equal(a, want) {
		t.Errorf("the fixture's calls: %v, want %v", a, want)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// analyseCalls maps each function (by folder name) to the IAM actions its
// code can take on DynamoDB and S3, sorted.
func analyseCalls(t *testing.T) map[string][]string {
	return analysePackages(t, "./functions/...", "./shared/...")
}

// analysePackages analyses the main packages among patterns; the other
// packages the patterns name are read from source too.
func analysePackages(t *testing.T, patterns ...string) map[string][]string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// The product's packages from source; the SDK from export data (no
	// bodies: the analysis stops there).
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedTypes |
			packages.NeedSyntax | packages.NeedTypesInfo,
		Dir: root,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("packages do not load")
	}
	prog := ssa.NewProgram(pkgs[0].Fset, ssa.InstantiateGenerics)
	fromSource := map[*types.Package]bool{}
	for _, p := range pkgs {
		fromSource[p.Types] = true
	}
	created := map[*types.Package]bool{}
	var create func(tp *types.Package)
	create = func(tp *types.Package) {
		if created[tp] {
			return
		}
		created[tp] = true
		for _, imp := range tp.Imports() {
			create(imp)
		}
		if !fromSource[tp] {
			prog.CreatePackage(tp, nil, nil, true)
		}
	}
	ssaPkgs := make([]*ssa.Package, len(pkgs))
	for _, p := range pkgs {
		create(p.Types)
	}
	for i, p := range pkgs {
		ssaPkgs[i] = prog.CreatePackage(p.Types, p.Syntax, p.TypesInfo, false)
	}
	prog.Build()
	out := map[string][]string{}
	for i, p := range pkgs {
		if p.Name != "main" || ssaPkgs[i] == nil {
			continue
		}
		var roots []*ssa.Function
		for fn := range ssautil.AllFunctions(prog) {
			if fn.Pkg == ssaPkgs[i] {
				roots = append(roots, fn)
			}
		}
		out[filepath.Base(p.PkgPath)] = reachableActions(prog, roots)
	}
	return out
}

// reachableActions walks the code reachable from roots (see
// TestFunctionGrantsAreExactlyTheCallsItsCodeMakes) and returns the IAM
// actions of the SDK calls it can make.
func reachableActions(prog *ssa.Program, roots []*ssa.Function) []string {
	reached := map[*ssa.Function]bool{}
	var queue []*ssa.Function
	reach := func(f *ssa.Function) {
		if f != nil && !reached[f] {
			reached[f] = true
			queue = append(queue, f)
		}
	}
	runtimeTypes := map[types.Type]bool{} // concrete types converted to interfaces
	var invokes []*types.Func             // interface methods called
	valueFuncs := map[*ssa.Function]bool{}
	dynamicCalls := false
	seenType := func(T types.Type) {
		if runtimeTypes[T] {
			return
		}
		runtimeTypes[T] = true
		for _, m := range invokes {
			reach(lookupMethod(prog, T, m))
		}
	}
	for _, r := range roots {
		reach(r)
	}
	calls := map[string]bool{}
	txItems := map[string]bool{}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		if action, ok := sdkAction(f); ok {
			calls[action] = true
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				switch v := instr.(type) {
				case *ssa.MakeInterface:
					seenType(v.X.Type())
				case *ssa.MakeClosure:
					fn := v.Fn.(*ssa.Function)
					valueFuncs[fn] = true
					if dynamicCalls {
						reach(fn)
					}
				case *ssa.FieldAddr:
					if kind, ok := transactionItem(v.X.Type(), v.Field); ok {
						txItems[kind] = true
					}
				}
				for _, op := range instr.Operands(nil) {
					if fn, ok := (*op).(*ssa.Function); ok {
						if call, isCall := instr.(ssa.CallInstruction); isCall && call.Common().Value == fn {
							continue // a static call, handled below
						}
						valueFuncs[fn] = true
						if dynamicCalls {
							reach(fn)
						}
					}
				}
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				common := call.Common()
				switch {
				case common.IsInvoke():
					invokes = append(invokes, common.Method)
					for T := range runtimeTypes {
						reach(lookupMethod(prog, T, common.Method))
					}
				case common.StaticCallee() != nil:
					reach(common.StaticCallee())
				default:
					if !dynamicCalls {
						dynamicCalls = true
						for fn := range valueFuncs {
							reach(fn)
						}
					}
				}
			}
		}
	}
	if calls["dynamodb:TransactWriteItems"] {
		delete(calls, "dynamodb:TransactWriteItems")
		for kind := range txItems {
			calls["dynamodb:"+kind] = true
		}
	}
	out := keys(calls)
	sort.Strings(out)
	return out
}

func lookupMethod(prog *ssa.Program, T types.Type, m *types.Func) *ssa.Function {
	if types.IsInterface(T) {
		return nil
	}
	sel := prog.MethodSets.MethodSet(T).Lookup(m.Pkg(), m.Name())
	if sel == nil {
		return nil
	}
	if !types.Identical(sel.Type(), m.Type()) {
		// Same name, another signature: not an implementation.
		sig, ok := sel.Type().(*types.Signature)
		msig, _ := m.Type().(*types.Signature)
		if !ok || msig == nil || !types.Identical(sig.Params(), msig.Params()) || !types.Identical(sig.Results(), msig.Results()) {
			return nil
		}
	}
	return prog.MethodValue(sel)
}

// sdkAction is the IAM action a method of the DynamoDB or S3 client (or a
// paginator or presigner that calls one) stands for.
func sdkAction(f *ssa.Function) (string, bool) {
	if f.Pkg == nil && f.Signature.Recv() == nil {
		return "", false
	}
	var pkg, name string
	if recv := f.Signature.Recv(); recv != nil {
		named, ok := derefNamed(recv.Type())
		if !ok || named.Obj().Pkg() == nil {
			return "", false
		}
		pkg, name = named.Obj().Pkg().Path(), f.Name()
		switch named.Obj().Name() {
		case "Client":
		case "PresignClient":
			name = strings.TrimPrefix(name, "Presign")
		default:
			return "", false
		}
	} else {
		pkg = f.Pkg.Pkg.Path()
		op, ok := strings.CutPrefix(f.Name(), "New")
		if !ok || !strings.HasSuffix(op, "Paginator") {
			return "", false
		}
		name = strings.TrimSuffix(op, "Paginator")
	}
	switch pkg {
	case dynamodbPkg:
		switch name {
		case "Options":
			return "", false
		case "TransactGetItems", "BatchGetItem":
			return "dynamodb:GetItem", true
		}
		return "dynamodb:" + name, true
	case s3Pkg:
		if a, ok := s3Actions[name]; ok {
			return "s3:" + a, true
		}
		if name == "Options" {
			return "", false
		}
		return "s3:" + name, true
	}
	return "", false
}

// versioned maps an S3 action to the one IAM checks instead when the call
// names a version id (HeadObject, GetObject or a presigned GET with
// VersionId needs s3:GetObjectVersion; DeleteObject with VersionId
// s3:DeleteObjectVersion). The analysis cannot see the argument, so either
// grant covers the call, and a versioned grant is used by the plain call.
var versioned = map[string]string{
	"s3:GetObject":    "s3:GetObjectVersion",
	"s3:DeleteObject": "s3:DeleteObjectVersion",
}

// s3Actions maps S3 API operations to the IAM actions that authorize them
// where the names differ.
var s3Actions = map[string]string{
	"HeadObject":         "GetObject",
	"ListObjectsV2":      "ListBucket",
	"ListObjects":        "ListBucket",
	"ListObjectVersions": "ListBucketVersions",
	"DeleteObjects":      "DeleteObject",
	"CopyObject":         "PutObject",
	// A presigned POST form is an upload: IAM checks s3:PutObject.
	"PostObject": "PutObject",
}

// transactionItem reports the IAM action of a TransactWriteItem field set.
func transactionItem(ptr types.Type, field int) (string, bool) {
	p, ok := ptr.Underlying().(*types.Pointer)
	if !ok {
		return "", false
	}
	named, ok := derefNamed(p.Elem())
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != dynamodbTypesPkg || named.Obj().Name() != "TransactWriteItem" {
		return "", false
	}
	switch named.Underlying().(*types.Struct).Field(field).Name() {
	case "Put":
		return "PutItem", true
	case "Update":
		return "UpdateItem", true
	case "Delete":
		return "DeleteItem", true
	case "ConditionCheck":
		return "ConditionCheckItem", true
	}
	return "", false
}

func derefNamed(T types.Type) (*types.Named, bool) {
	if p, ok := T.(*types.Pointer); ok {
		T = p.Elem()
	}
	n, ok := T.(*types.Named)
	return n, ok
}
