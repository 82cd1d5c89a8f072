package local

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/consentflow/consentflow/infra/topology"
)

// Build compiles every function of the topology for this machine into dir,
// one executable per function named after it: the same main packages that
// are built for Lambda, with the same tags.
func Build(ctx context.Context, root, dir string, app topology.Application) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-o", dir + string(os.PathSeparator)}
	for _, f := range app.Functions {
		args = append(args, "./functions/"+f.Name)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build functions: %w\n%s", err, out)
	}
	return nil
}
