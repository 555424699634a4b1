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

	// An exploration (mtviz explore).
	"%s: %s, %s visible steps an order": "%s：%s，每种顺序 %s 个可见步骤",
	"%d to %d":                          "%d 到 %d",
	"stopped after %s: what follows covers those only": "在 %s 后停下：以下只涵盖这些",
	"every order explored: %s":                         "已探索每一种顺序：%s",
	"more than %s orders (about %s, estimated from the sample): a sample of %s, drawn at random with seed %d": "超过 %s 种顺序（按样本估计约 %s 种）：随机抽取 %s 种为样本，种子 %d",
	", %s up to steps that commute, in %.2fs (%.2f ms an order)":                                              "，不计可交换的步骤为 %s 种，用时 %.2f 秒（每种顺序 %.2f 毫秒）",
	"no order meets it": "没有顺序达成",
	"met by %d of %d orders; the shortest, %s: %s%s":              "%d/%d 种顺序达成；最短的，%s：%s%s",
	"no order breaks a check":                                     "没有顺序让检查失败",
	"checks some order breaks, and the shortest order that does:": "有顺序让其失败的检查，以及最短的这种顺序：",
	"%s: broken by %d of %d orders; %s: %s%s":                     "%s：%d/%d 种顺序让它失败；%s：%s%s",
	" (written to %s)":                                            "（已写入 %s）",
	" (%s lost)":                                                  "（丢失 %s）",
	"deadlock":                                                    "死锁",
	"a task waits forever":                                        "有任务永远等待",
	"goal met":                                                    "达成目标",
	"task":                                                        "个任务",
	"tasks":                                                       "个任务",
	"order":                                                       "种顺序",
	"orders":                                                      "种顺序",
	"outcome":                                                     "种结果",
	"outcomes":                                                    "种结果",
	"step":                                                        "步",
	"steps":                                                       "步",
	"update":                                                      "次更新",
	"updates":                                                     "次更新",
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
