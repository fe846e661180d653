package main

import (
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// upPoints are up's medians against the number of servers, with how far
// each run's min and max lie below and above the median: the error bars.
type upPoints struct {
	plotter.XYs
	plotter.YErrors
}

// upSeries collects up_1..up_5 from the report, skipping sizes that were
// not measured; ideal is up_1's median, or 0 when it was not.
func upSeries(ms []Measure) (pts upPoints, ideal float64) {
	byName := map[string]Measure{}
	for _, m := range ms {
		byName[m.Name] = m
	}
	for n := 1; n <= maxServers; n++ {
		m, ok := byName[upName(n)]
		if !ok || m.Median == nil {
			continue
		}
		pts.XYs = append(pts.XYs, plotter.XY{X: float64(n), Y: *m.Median})
		pts.YErrors = append(pts.YErrors, struct{ Low, High float64 }{*m.Median - *m.Min, *m.Max - *m.Median})
		if n == 1 {
			ideal = *m.Median
		}
	}
	return pts, ideal
}

// writeChart draws up's wall time against the number of servers as a PNG
// at path. The dashed flat line at up(1) is the ideal: servers that start
// together would make a cluster of five as quick to come up as one, so
// the gap between the two lines is what each added server costs. It
// writes nothing, and says so, when up was not measured.
func writeChart(path string, ms []Measure) (bool, error) {
	pts, ideal := upSeries(ms)
	if len(pts.XYs) == 0 {
		return false, nil
	}
	p := plot.New()
	p.Title.Text = "mysqlctl up: wall time until every server is ready"
	p.X.Label.Text = "servers (--replicas N)"
	p.Y.Label.Text = "seconds"
	p.X.Min, p.X.Max = 0.5, maxServers+0.5
	p.Y.Min = 0
	var ticks []plot.Tick
	for n := 1; n <= maxServers; n++ {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())

	bars, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return false, err
	}
	line, points, err := plotter.NewLinePoints(pts.XYs)
	if err != nil {
		return false, err
	}
	blue := color.RGBA{B: 200, A: 255}
	line.Color, points.Color, bars.Color = blue, blue, blue
	p.Add(bars, line, points)
	p.Legend.Add("median of the runs (bars: min to max)", line, points)

	if ideal > 0 {
		flat := plotter.NewFunction(func(float64) float64 { return ideal })
		flat.XMin, flat.XMax = p.X.Min, p.X.Max
		flat.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		flat.Color = color.RGBA{R: 120, G: 120, B: 120, A: 255}
		p.Add(flat)
		p.Legend.Add(fmt.Sprintf("ideal: as quick as 1 server (%.1f s)", ideal), flat)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(6)
	// Room above the highest bar for the legend.
	top := 0.0
	for i, xy := range pts.XYs {
		top = max(top, xy.Y+pts.YErrors[i].High)
	}
	p.Y.Max = top * 1.35
	return true, p.Save(16*vg.Centimeter, 10*vg.Centimeter, path)
}
