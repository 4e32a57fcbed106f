package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// killGrace bounds how long a cancelled or timed-out command's output pipes may stay open after
// its process group was killed (a child that left the group can hold them).
const killGrace = 5 * time.Second

// result is what a command run adds to state.
type result struct {
	stdout, stderr string
	assets         resource.PropertyValue // null unless assetPaths was set
	archive        resource.PropertyValue // null unless archivePaths was set
}

// statusLogger shows a command's output lines as the engine's passing status lines, which is how
// upstream logs them (the line under the resource in `pulumi up`, not a diagnostic kept after it).
type statusLogger func(line string)

// run executes command the way upstream's local provider does: through the interpreter (default
// `/bin/sh -c`), in dir (default the plugin's working directory), with the environment plus the
// inputs' variables and, unless addPreviousOutputInEnv is false, the previous run's output as
// PULUMI_COMMAND_STDOUT/PULUMI_COMMAND_STDERR. It returns once the command has exited and its
// output pipes are closed, so background children that keep stdout open are waited for.
//
// Unlike upstream, which kills only the interpreter, a timeout or cancellation kills the command's
// whole process group, so children do not outlive the operation.
func run(ctx context.Context, command string, s settings, previous result, log statusLogger) (result, error) {
	argv := []string{"/bin/sh", "-c"}
	if len(s.interpreter) > 0 {
		argv = append([]string{}, s.interpreter...)
	}
	argv = append(argv, command)

	cmd := exec.Command(argv[0], argv[1:]...)
	if s.dir != nil {
		cmd.Dir = *s.dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return result{}, err
		}
		cmd.Dir = wd
	}
	cmd.Env = os.Environ()
	for k, v := range s.environment {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if s.addPreviousOut {
		if previous.stdout != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+previous.stdout)
		}
		if previous.stderr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+previous.stderr)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	out := newCapture(log)
	err := out.start(cmd, s)
	if err == nil {
		err = out.wait(ctx, cmd)
	}
	if err != nil {
		return result{}, fmt.Errorf("%w: running %q:\n%s", err, command, out.combined.String())
	}

	res := result{
		stdout:  strings.TrimSuffix(out.stdout.String(), "\n"),
		stderr:  strings.TrimSuffix(out.stderr.String(), "\n"),
		assets:  resource.NewNullProperty(),
		archive: resource.NewNullProperty(),
	}
	if s.assetPaths != nil {
		if res.assets, err = globAssets(cmd.Dir, *s.assetPaths); err != nil {
			return result{}, err
		}
	}
	if s.archivePaths != nil {
		if res.archive, err = globArchive(cmd.Dir, *s.archivePaths); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

// capture collects a command's stdout and stderr through pipes of its own (so it can tell when the
// last holder closed them) into separate buffers, one combined buffer for error messages, and the
// status log line by line.
type capture struct {
	mu                       sync.Mutex
	stdout, stderr, combined bytes.Buffer
	log                      statusLogger
	pending                  map[*bytes.Buffer][]byte
	readers                  []*os.File
	done                     chan struct{}
}

func newCapture(log statusLogger) *capture {
	return &capture{log: log, pending: map[*bytes.Buffer][]byte{}, done: make(chan struct{})}
}

func (c *capture) start(cmd *exec.Cmd, s settings) error {
	var writers []*os.File
	var readers sync.WaitGroup
	for _, stream := range []struct {
		own *bytes.Buffer
		log bool
		set func(*os.File)
	}{
		{&c.stdout, s.logStdout, func(f *os.File) { cmd.Stdout = f }},
		{&c.stderr, s.logStderr, func(f *os.File) { cmd.Stderr = f }},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		stream.set(w)
		writers = append(writers, w)
		c.readers = append(c.readers, r)
		readers.Add(1)
		go func(own *bytes.Buffer, log bool) {
			defer readers.Done()
			c.copy(r, own, log)
		}(stream.own, stream.log)
	}
	go func() {
		readers.Wait()
		close(c.done)
	}()

	var stdinWriter *os.File
	if s.stdin != "" {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		cmd.Stdin = r
		writers = append(writers, r)
		stdinWriter = w
	}
	err := cmd.Start()
	// The child has its own copies now; ours would keep the pipes open forever.
	for _, f := range writers {
		_ = f.Close()
	}
	if stdinWriter != nil {
		if err == nil {
			go func() {
				_, _ = io.WriteString(stdinWriter, s.stdin)
				_ = stdinWriter.Close()
			}()
		} else {
			_ = stdinWriter.Close()
		}
	}
	if err != nil {
		c.closeReaders()
		<-c.done
	}
	return err
}

func (c *capture) copy(r io.Reader, own *bytes.Buffer, log bool) {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			c.mu.Lock()
			own.Write(buf[:n])
			c.combined.Write(buf[:n])
			if log {
				c.logLines(own, buf[:n])
			}
			c.mu.Unlock()
		}
		if err != nil {
			if log {
				c.mu.Lock()
				if rest := c.pending[own]; len(rest) > 0 {
					c.log(string(rest))
				}
				c.mu.Unlock()
			}
			return
		}
	}
}

func (c *capture) logLines(stream *bytes.Buffer, b []byte) {
	pending := append(c.pending[stream], b...)
	for {
		i := bytes.IndexByte(pending, '\n')
		if i < 0 {
			break
		}
		c.log(string(pending[:i]))
		pending = pending[i+1:]
	}
	c.pending[stream] = pending
}

func (c *capture) closeReaders() {
	for _, r := range c.readers {
		_ = r.Close()
	}
}

// wait returns when the command has exited and every holder of its output pipes has closed them,
// or, once ctx is done, after killing its process group (then with the exit status, or ctx's error
// when the interpreter had already exited cleanly).
func (c *capture) wait(ctx context.Context, cmd *exec.Cmd) error {
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var exitErr error
	hasExited, outputClosed := false, false
	for !hasExited || !outputClosed {
		select {
		case exitErr = <-exited:
			hasExited = true
		case <-c.done:
			outputClosed = true
			c.closeReaders()
		case <-ctx.Done():
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			if !hasExited {
				exitErr = <-exited
			}
			select {
			case <-c.done:
			case <-time.After(killGrace):
				c.closeReaders()
				<-c.done
			}
			c.closeReaders()
			if exitErr == nil {
				exitErr = ctx.Err()
			}
			return exitErr
		}
	}
	return exitErr
}

// hostStatus returns a statusLogger that sends lines to the engine for urn ("" for invokes).
func (p *commandProvider) hostStatus(ctx context.Context, urn resource.URN) statusLogger {
	return func(line string) {
		if p.host != nil {
			_ = p.host.LogStatus(context.WithoutCancel(ctx), diag.Info, urn, line)
		}
	}
}
