package local

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/infra/local/clock"
	"github.com/consentflow/consentflow/infra/topology"
)

// schedulePoll is how often, in real time, the schedules look at the clock.
// They wait by polling rather than on clock timers, so that a workflow's
// wait stays the clock's next deadline ("next" in `make dev`, tests that
// wait for a workflow to start waiting), and so that "advance 31d" does not
// step through three thousand sweeps.
const schedulePoll = 50 * time.Millisecond

// runSchedules runs the topology's schedules from the clock, as EventBridge
// Scheduler would: each rate schedule is first due one interval after the
// start, and when the clock has passed a due time the target is invoked with
// topology.ScheduledTime in its input replaced by that time. When the clock
// jumps over several due times at once, the schedule runs once, for the
// latest (AWS would run each; the sweeps only need the latest). Cron
// schedules are not run locally.
func (c *Cloud) runSchedules(ctx context.Context, clk *clock.Manual, log *slog.Logger) {
	for _, sc := range c.app.Schedules {
		sc = sc.With(c.Settings)
		every, ok := sc.Every()
		if !ok {
			log.Warn("schedule not run locally: only rate expressions are", "schedule", sc.Name, "expression", sc.Expression)
			continue
		}
		go func() {
			next := clk.Now().Add(every)
			t := time.NewTicker(schedulePoll)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				now := clk.Now()
				if now.Before(next) {
					continue
				}
				due := next.Add(now.Sub(next) / every * every)
				next = due.Add(every)
				if err := c.runSchedule(ctx, sc, due); err != nil {
					log.Error("schedule run failed", "schedule", sc.Name, "scheduledTime", due, "error", err.Error())
				}
			}
		}()
	}
}

// runSchedule invokes a schedule's target once for the time it was due.
func (c *Cloud) runSchedule(ctx context.Context, sc topology.Schedule, due time.Time) error {
	input := sc.Input
	if input == "" {
		input = "{}"
	}
	input = strings.ReplaceAll(input, topology.ScheduledTime, due.UTC().Format(time.RFC3339))
	if sc.Function != "" {
		res, err := c.lambda.Invoke(ctx, sc.Function, []byte(input))
		if err != nil {
			return err
		}
		if typ := res.ErrorType(); typ != "" {
			return fmt.Errorf("%s: %s", typ, res.ErrorMessage())
		}
		return nil
	}
	client := sfn.New(sfn.Options{Region: Region, BaseEndpoint: aws.String(c.Endpoints["SFN"]), Credentials: credentials})
	_, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(StateMachineARN(sc.Workflow)),
		Input:           aws.String(input),
	})
	return err
}
