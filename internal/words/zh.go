package words

// zh is the screen's words in Chinese, by their English text; the
// chapter's own terms: 任务, 线程, 进程, 协程, 锁, 队列, 调度器, 僵尸进程.
var zh = map[string]string{
	// Panels.
	"Tasks":              "任务",
	"Log":                "日志",
	"Lesson":             "课程",
	"Processes":          "进程树",
	"Counters":           "计数器",
	"Cores":              "核心",
	"Locks · Queues":     "锁 · 队列",
	"Counters · Objects": "计数器 · 同步对象",
	"Help":               "帮助",
	"Checks":             "检查",
	"Compare":            "对比",
	"Running ":           "运行中：",

	// The lesson screen's keys.
	"pause/resume":         "暂停/继续",
	"restart":              "重新开始",
	"zoom in":              "放大",
	"zoom out":             "缩小",
	"runtime trace on/off": "开/关运行时追踪",
	"next panel":           "下一个面板",
	"previous panel":       "上一个面板",
	"scroll up":            "向上滚动",
	"scroll down":          "向下滚动",
	"page up":              "上一页",
	"page down":            "下一页",
	"help":                 "帮助",
	"a lane per copy of a task counted many times, or one summary lane": "多份任务每份一条泳道，或合为一条汇总泳道",
	"lessons":   "课程列表",
	"quit":      "退出",
	"scheduler": "调度器",
	"scheduler: you choose who takes each step (the round starts again)": "调度器：由你决定每一步由谁执行（本轮重新开始）",
	"scheduler: write the order so far to a schedule file":               "调度器：把目前的执行顺序写入调度文件",
	"scheduler: that task takes its next step":                           "调度器：该任务执行下一步",
	"scheduler: let every task run freely again":                         "调度器：让所有任务重新自由运行",
	"freeze/unfreeze the screen":                                         "冻结/解冻画面",
	"pause/resume the playback":                                          "暂停/继续回放",
	"play from the start":                                                "从头回放",
	"back one second":                                                    "后退一秒",
	"forward one second":                                                 "前进一秒",
	"to the start":                                                       "到开头",
	"to the end":                                                         "到结尾",
	"faster: 1×, 2×, 10×, as fast as it can":                             "加快：1×、2×、10×、尽可能快",
	"slower":                          "减慢",
	"follow/hold":                     "跟随/停住",
	"stop the sweep, keep its points": "停止扫描，保留已有的点",

	// The picker.
	"up":           "上",
	"down":         "下",
	"filter":       "筛选",
	"open lesson":  "打开课程",
	"compare":      "对比",
	"clear filter": "清除筛选",
	"compare: one core against all, or along the lesson's switch": "对比：单核与全部核心，或沿课程的开关",
	"filter: ":                                       "筛选：",
	"press / to filter lessons":                      "按 / 筛选课程",
	"type to filter; enter opens, esc clears":        "输入以筛选；enter 打开，esc 清除",
	" · watch processes and threads being scheduled": " · 观察进程与线程如何被调度",
	"Keys": "按键",
	"\nPress / and type to filter the lessons by id, title or summary; q quits.\n" +
		"Each lesson runs real goroutines and processes; the screen shows what the\n" +
		"engine and the OS report about them.\n\n": "\n按 / 并输入，按编号、标题或简介筛选课程；q 退出。\n" +
		"每个课程都运行真实的协程和进程；画面显示的是引擎和\n" +
		"操作系统报告的它们的情况。\n\n",
	"press any key to close":                     "按任意键关闭",
	"  no lesson matches; esc clears the filter": "  没有匹配的课程；esc 清除筛选",

	// The header.
	"▶ running":                             "▶ 运行中",
	"■ the watch has ended":                 "■ 观察已结束",
	"⏸ screen frozen (the program runs on)": "⏸ 画面已冻结（程序仍在运行）",
	"▶ watching":                            "▶ 观察中",
	"judging…":                              "判定中…",
	"⏸ paused":                              "⏸ 已暂停",
	"  round %d/%d":                         "  第 %d/%d 轮",
	"  phase ":                              "  阶段 ",
	"trace off":                             "追踪关",
	"trace on":                              "追踪开",
	"replay ":                               "回放 ",
	"%d cores":                              "%d 核",
	"1 core":                                "1 核",
	"seeking…":                              "定位中…",
	"max":                                   "最快",
	"the watched program still runs: q or esc again ends it; any other key stays": "被观察的程序仍在运行：再按 q 或 esc 结束它；按其他键留下",

	// Scrolling.
	"… %d more lines: tab to %s, then ↓":                               "… 还有 %d 行：tab 到%s，再按 ↓",
	"… lanes %d-%d of %d: ↑/↓ with Tasks in focus, or a taller window": "… 泳道 %d-%d / %d：在任务面板按 ↑/↓，或加高窗口",
	"… %d older lines dropped":                                         "… 已丢弃 %d 行较早的日志",
	"… %d more (tab to the Processes panel)":                           "… 还有 %d 个（tab 到进程树面板）",

	// The legend and the ? help.
	"running,":                          "运行，",
	" on P/cpu n":                       " 在 P/cpu n 上",
	"running":                           "运行",
	"runnable":                          "可运行",
	"running or runnable":               "运行或可运行",
	"sleeping":                          "睡眠",
	"new":                               "新建",
	"zombie":                            "僵尸进程",
	"waits for children":                "等待子进程",
	"runtime: waiting":                  "运行时：等待",
	"blocked on: ":                      "阻塞于：",
	"lock":                              "锁",
	"join":                              "join 等待",
	"condition":                         "条件变量",
	"event":                             "事件",
	"queue":                             "队列",
	"key":                               "按键",
	"net poller":                        "网络轮询器",
	"paused":                            "暂停",
	"stopped (watch)":                   "已停止（观察）",
	"turn":                              "轮到",
	"This lesson waits for":             "本课程等待的按键",
	"Lanes":                             "泳道",
	"↑/↓ scroll · any other key closes": "↑/↓ 滚动 · 其他任意键关闭",
	"One row per task; time runs left to right, now at the right edge. A name ending in * is a daemon.": "每个任务一行；时间从左往右走，右边缘是现在。名字以 * 结尾的是守护任务。",
	"Why a task waits comes from the engine as it happens. Whether a goroutine was running (the digit is its P) " +
		"or runnable comes from the Go runtime's own trace, read live about 0.1 s behind; for a process task, from /proc " +
		"(the digit is the CPU core it last ran on). When the engine and /proc disagree, the lane says so: a process whose " +
		"steps are done but which /proc reads alive waits for its children (W); one /proc reads Z is a zombie until reaped. " +
		"The trace can slow goroutines that block and wake very often: t turns it off; the header says which. " +
		"Cores, processes and CPU come from the probe.": "任务为什么等待，由引擎在发生时告知。协程是在运行（数字是它的 P）还是可运行，" +
		"来自 Go 运行时自己的追踪，实时读取，约晚 0.1 秒；进程任务则来自 /proc（数字是它最后运行的 CPU 核心）。" +
		"引擎与 /proc 不一致时，泳道会照实显示：步骤已做完而 /proc 仍读到存活的进程，是在等待它的子进程（W）；" +
		"/proc 读到 Z 的进程在被回收前是僵尸进程。频繁阻塞又唤醒的协程会被追踪拖慢：t 关闭追踪，标题栏显示当前状态。" +
		"核心、进程和 CPU 数据来自探针。",

	// Lane states of copies counted together.
	"blocked on ":           "阻塞于 ",
	"blocked":               "阻塞",
	"done":                  "已结束",
	"waiting for children":  "等待子进程",
	"busy":                  "忙",
	", ":                    "，",
	" (enter: a lane each)": "（enter：每份一条泳道）",

	// Cores, counters, locks and queues.
	"waiting for the first probe sample…":         "等待探针的第一次采样…",
	"%s %.2f cores  %d proc  %d threads":          "%s %.2f 核  %d 进程  %d 线程",
	"  (run uses %d)":                             "  （本次用 %d 个）",
	"no counters in this lesson":                  "本课程没有计数器",
	"no counters, locks or queues in this lesson": "本课程没有计数器、锁或队列",
	"no locks or queues in this lesson":           "本课程没有锁或队列",
	"no file lock held or awaited (/proc/locks)":  "没有被持有或等待的文件锁（/proc/locks）",
	"  %d lost":      "  丢失 %d",
	"private copies": "私有副本",
	"context switches: counted once a second":                 "上下文切换：每秒统计一次",
	"context switches /s: all %s":                             "每秒上下文切换：共 %s",
	"%-16s %8s voluntary %8s involuntary":                     "%-16s %8s 自愿  %8s 非自愿",
	"  round %d/%d, %d ended off %d":                          "  第 %d/%d 轮，%d 轮结束时偏离 %d",
	", %d updates lost in all":                                "，共丢失 %d 次更新",
	"; ended at:":                                             "；各轮结束值：",
	"deadlock: the wait-for graph has a cycle":                "死锁：等待图中有环",
	"deadlock found at %.2fs: the wait-for graph had a cycle": "在 %.2fs 发现死锁：等待图中有环",
	" ─ joins":                " ─ join 等待",
	" ─ waits for %s,":        " ─ 等待 %s，",
	"held by ─▶ ":             "持有者 ─▶ ",
	"holds":                   "持有",
	"waits for":               "等待",
	"%s %s %s %s on inode %s": "%s %s %s %s（inode %s）",
	" queue ":                 " 队列 ",
	"%d/%d full":              "%d/%d 已满",
	"empty":                   "空",
	"%d items [%s …]":         "%d 项 [%s …]",
	"  waiting: ":             "  等待者：",
	"set":                     "已置位",
	"clear":                   "未置位",
	"waits for notify":        "等待 notify",
	"free":                    "空闲",
	"%d of %d free":           "%d/%d 可用",
	", held by ":              "，持有者 ",
	"held by ":                "持有者 ",
	" (its holder has ended)": "（持有者已结束）",

	// The process tree.
	"THR":             "线程",
	"NAME":            "名称",
	"TASK":            "任务",
	"ended":           "已结束",
	", reaped by ":    "，回收者 ",
	"  gone: ":        "  已消失：",
	"  parent was %d": "  原父进程 %d",
	"(this program)":  "（本程序）",
	"(mtviz's guard: ends the lesson's processes if mtviz is killed)": "（mtviz 的守护进程：mtviz 被杀时结束课程的进程）",
	"  zombie: ended, not yet reaped":                                 "  僵尸进程：已结束，尚未回收",
	"mtviz (adopter)":                                                 "mtviz（收养者）",

	// The scheduler.
	"the programs of run steps run outside the scheduler": "run 步骤的程序在调度器之外运行",
	"deadlock: ":                      "死锁：",
	"Scheduler: you choose · step %d": "调度器：由你选择 · 第 %d 步",
	"Scheduler: off since step %d, every task runs freely": "调度器：自第 %d 步起关闭，所有任务自由运行",
	" · goal: ": " · 目标：",
	" a process: outside the scheduler, it runs freely": " 进程：在调度器之外自由运行",
	" not started":      " 未开始",
	" ended":            " 已结束",
	"… taking its step": "… 正在执行这一步",
	"press a task's number: it takes the step shown · a: all run freely · o: save the order · s: scheduler off": "按任务编号：它执行所示的一步 · a：全部自由运行 · o：保存顺序 · s：关闭调度器",
	"★ goal met in %d steps: ":                      "★ 用 %d 步达成目标：",
	"goal not met: ":                                "未达成目标：",
	"exploring every order of the lesson…":          "正在探索课程的所有执行顺序…",
	"no order of the %d explored meets it":          "探索过的 %d 种顺序都达不到",
	"the shortest take":                             "最短的需要",
	"shorter orders take":                           "更短的顺序只需",
	"%d of %d orders meet it; %s %d steps, e.g. %s": "%d/%d 种顺序能达成；%s %d 步，例如 %s",
	"no task %d: the tasks are 1 to %d":             "没有任务 %d：任务编号是 1 到 %d",
	"every task runs freely now":                    "现在所有任务自由运行",
	"no step taken yet: nothing to save":            "还没有执行任何一步：没有可保存的",

	// Sweeps and comparisons.
	"%d of %d points  ": "%d/%d 个点  ",
	"stopping…":         "正在停止…",
	"▶ point %d of %d":  "▶ 第 %d/%d 个点",
	" against ":         " 随 ",
	"the checks are decided when every point has run": "所有点运行完后判定检查",
	"error: ":            "错误：",
	"points written to ": "点已写入 ",
	"A sweep runs the lesson once per value of %s, one run after another, each with the machine to itself, " +
		"and plots what each run measured: work per second from the lesson's counters, context switches and threads from /proc. " +
		"The curves fill in as the points arrive; s stops the sweep and keeps the points so far (the checks then say what could not be decided).": "扫描对 %s 的每个取值各运行一次课程，一次接一次，每次独占整台机器，" +
		"并画出每次的测量结果：每秒工作量来自课程的计数器，上下文切换和线程数来自 /proc。" +
		"曲线随着点的到来逐渐画出；s 停止扫描并保留已有的点（检查随后会说明哪些无法判定）。",
	"any key closes":                    "任意键关闭",
	"ending soon":                       "即将结束",
	"about %s left":                     "约剩 %s",
	"▶ running %d of %d (%.0fs)":        "▶ 运行第 %d/%d 个（%.0fs）",
	" (following)":                      "（跟随中）",
	" (waits)":                          "（等待中）",
	"runs after the variants before it": "在前面的变体之后运行",
	"figures once two variants have run (%d of %d done)":     "两个变体运行完后显示数据（已完成 %d/%d）",
	"no figure differs by more than 5% between the variants": "各变体之间没有相差超过 5% 的数据",
	"The variants run one after another, each with the whole machine, and stand side by side aligned at their start. " +
		"One cursor steps them all: ←/→ a second, home/end, space to follow the running variant or hold. " +
		"Below, the figures that differ by more than 5%, with each variant's ratio to the first. " +
		"CPU, context switches and threads are what /proc read; work and lost updates are the lesson's counters.": "各变体依次运行，每次独占整台机器，按开始时刻对齐并排显示。" +
		"一个光标同时移动它们：←/→ 一秒，home/end，space 跟随正在运行的变体或停住。" +
		"下方是相差超过 5% 的数据，以及每个变体相对第一个的比值。" +
		"CPU、上下文切换和线程数是从 /proc 读到的；工作量和丢失的更新来自课程的计数器。",
	// A screen session's run files.
	"this run is not written: %s":              "本次运行不会写入文件：%s",
	"this run is written to %s":                "本次运行写入 %s",
	"the run's files could not be written: %s": "本次运行的文件没能写入：%s",
	"the run is written: %s":                   "本次运行已写入：%s",
	"the recording could not be read on: %s":   "录制文件没法继续读下去：%s",
	"runtime trace: %s":                        "运行时跟踪：%s",
	"scheduler: %s":                            "调度器：%s",
	"wrote the order so far (%d steps) to %s":  "已把到目前为止的顺序（%d 步）写入 %s",
}
