package words

// zhReport is the headless reports' own words in Chinese (package report:
// the lines around a run's log, a comparison's and a sweep's), merged into
// the catalog. JSON keys and values stay English; the verdicts' words are
// internal/verdict's.
var zhReport = map[string]string{
	// A run.
	"%s: %s (%d round(s), %d core(s))":            "%s：%s（%d 轮，%d 核）",
	"… %d lines not shown (more than %d at once)": "… 有 %d 行未显示（一次超过 %d 行）",
	"error: %s":                        "错误：%s",
	"goal, %s: %s":                     "目标，%s：%s",
	"met in %d steps":                  "用 %d 步达成",
	"not met":                          "未达成",
	"watched %d process(es) for %.1fs": "观察了 %d 个进程，共 %.1f 秒",
	"the schedule stopped at step %d: %v; the rest ran freely": "调度表在第 %d 步停下：%v；其余步骤自由运行",
	"the schedule's %d steps were taken; the rest ran freely":  "调度表的 %d 步已走完；其余步骤自由运行",

	// A comparison.
	"%s: %s, %d variants, one after another": "%s：%s，%d 个变体，依次运行",
	"variant %d of %d: %s":                   "变体 %d/%d：%s",
	"%s, on %d core(s) in %.1fs":             "%s，%d 核，用时 %.1f 秒",
	"figure":                                 "指标",
	"%s is counted in different units by the variants (%s): no ratio is made": "各变体计量 %s 的单位不同（%s）：不计算比值",

	// A sweep.
	" for each %s": "（每个 %s）",
	"sweep of %s%s: %d points, one after another": "沿 %s 扫描%s：%d 个点，依次运行",
	"point %d of %d: %s%s":                        "第 %d/%d 个点：%s%s",
	" (about %s left)":                            "（约剩 %s）",
	" (busy: other programs used %.2f cores meanwhile, so these figures cannot fail a check)": "（繁忙：其间其他程序占用了 %.2f 核，这些数据不能判定检查失败）",
	" (stopped)": "（已停止）",
}

// reportTwice is the words zhReport gives that the catalog had already:
// a test fails on each (one English word, one Chinese).
var reportTwice []string

func init() {
	for en, s := range zhReport {
		if _, ok := zh[en]; ok {
			reportTwice = append(reportTwice, en)
		}
		zh[en] = s
	}
}
