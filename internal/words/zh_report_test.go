package words

import "testing"

// No word of the reports' is given again elsewhere in the catalog.
func TestReportWordsGivenOnce(t *testing.T) {
	for _, en := range reportTwice {
		t.Errorf("%q is translated both in zh_report.go and elsewhere in the catalog", en)
	}
}
