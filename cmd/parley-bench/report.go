package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// report is one scenario's result: rows of Parley against the bare echo
// server (and, in turns, the Botkit peer), measured in the same run.
type report struct {
	Scenario string         `json:"scenario"`
	Backend  string         `json:"backend"` // sqlite, postgres, or a running server
	Params   map[string]any `json:"params"`
	Runs     int            `json:"runs"` // the numbers are medians of this many runs
	Metrics  []metric       `json:"metrics"`
}

// metric is one row. Ratio is Parley / bare echo, present when the two
// measure the same thing; BotkitRatio is Parley / botkit, likewise.
type metric struct {
	Name        string   `json:"name"`
	Unit        string   `json:"unit"`
	Parley      float64  `json:"parley"`
	Bare        *float64 `json:"bare_echo,omitempty"`
	Ratio       *float64 `json:"ratio,omitempty"`
	Botkit      *float64 `json:"botkit,omitempty"`
	BotkitRatio *float64 `json:"botkit_ratio,omitempty"`
}

// pair adds a row measured on both targets, with their ratio.
func (r *report) pair(name, unit string, parley, bare float64) {
	m := metric{Name: name, Unit: unit, Parley: parley, Bare: &bare}
	if bare != 0 {
		ratio := parley / bare
		m.Ratio = &ratio
	}
	r.Metrics = append(r.Metrics, m)
}

// both adds a row measured on both targets where a ratio means nothing
// (error counts).
func (r *report) both(name, unit string, parley, bare float64) {
	r.Metrics = append(r.Metrics, metric{Name: name, Unit: unit, Parley: parley, Bare: &bare})
}

// withBotkit adds the Botkit peer's value to the last row, with Parley /
// botkit when ratio is set.
func (r *report) withBotkit(botkit float64, ratio bool) {
	m := &r.Metrics[len(r.Metrics)-1]
	m.Botkit = &botkit
	if ratio && botkit != 0 {
		x := m.Parley / botkit
		m.BotkitRatio = &x
	}
}

// hasBotkit reports whether any row has the Botkit peer's value.
func (r *report) hasBotkit() bool {
	for _, m := range r.Metrics {
		if m.Botkit != nil {
			return true
		}
	}
	return false
}

// one adds a row that only Parley has.
func (r *report) one(name, unit string, parley float64) {
	r.Metrics = append(r.Metrics, metric{Name: name, Unit: unit, Parley: parley})
}

// medianReport folds repeated runs of one scenario into one report: the
// median of each number, and the median of the runs' own ratios.
func medianReport(runs []*report) *report {
	out := *runs[0]
	out.Runs = len(runs)
	out.Metrics = nil
	for i, m := range runs[0].Metrics {
		var p, b, r, k, kr []float64
		for _, run := range runs {
			x := run.Metrics[i]
			p = append(p, x.Parley)
			b = appendPtr(b, x.Bare)
			r = appendPtr(r, x.Ratio)
			k = appendPtr(k, x.Botkit)
			kr = appendPtr(kr, x.BotkitRatio)
		}
		m.Parley, m.Bare, m.Ratio = median(p), medianPtr(b), medianPtr(r)
		m.Botkit, m.BotkitRatio = medianPtr(k), medianPtr(kr)
		out.Metrics = append(out.Metrics, m)
	}
	return &out
}

func appendPtr(xs []float64, x *float64) []float64 {
	if x == nil {
		return xs
	}
	return append(xs, *x)
}

func medianPtr(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := median(xs)
	return &m
}

func writeJSON(w io.Writer, r *report) error {
	return json.NewEncoder(w).Encode(r)
}

// writeTable prints a report for people: names left, numbers right.
func writeTable(w io.Writer, r *report) {
	fmt.Fprintf(w, "== %s (%s; %s", r.Scenario, r.Backend, formatParams(r.Params))
	if r.Runs > 1 {
		fmt.Fprintf(w, "; medians of %d runs", r.Runs)
	}
	fmt.Fprintln(w, ")")
	botkit := r.hasBotkit()
	head := []string{"metric", "unit", "parley", "bare echo", "parley/bare"}
	if botkit {
		head = append(head, "botkit", "parley/botkit")
	}
	rows := [][]string{head}
	for _, m := range r.Metrics {
		row := []string{m.Name, m.Unit, formatValue(m.Parley, m.Unit), formatPtr(m.Bare, m.Unit), formatRatio(m.Ratio)}
		if botkit {
			row = append(row, formatPtr(m.Botkit, m.Unit), formatRatio(m.BotkitRatio))
		}
		rows = append(rows, row)
	}
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		line := pad(row[0], width[0], false)
		for i := 1; i < len(row); i++ {
			line += "  " + pad(row[i], width[i], true)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
}

func pad(s string, width int, right bool) string {
	fill := strings.Repeat(" ", width-utf8.RuneCountInString(s))
	if right {
		return fill + s
	}
	return s + fill
}

func formatParams(p map[string]any) string {
	var parts []string
	for _, k := range []string{"mode", "n", "k", "conversations", "rate", "duration", "turns", "evict"} {
		if v, ok := p[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, " ")
}

func formatPtr(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	return formatValue(*v, unit)
}

func formatRatio(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f×", *r)
}

func formatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case unit == "ms" || unit == "KB" || unit == "×":
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}
