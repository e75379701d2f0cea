package bench

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// portfolioAt1 keeps, by run, the portfolio's figures at 1 convention:
// the baseline of its ratios.
var portfolioAt1 sync.Map // *runner → stats

// portfolio measures /portefeuille on a server holding n conventions: its
// first view (which computes and keeps the lines of the day), then its
// p50 on one connection once they are kept, against its p50 at 1. A
// failure is a figure, not a failure of the benchmark.
func (r *runner) portfolio(ctx context.Context, srv *server, n int) {
	t := time.Now()
	if msg := srv.get(ctx, "/portefeuille", session); msg != "" {
		r.add(fmt.Sprintf("portefeuille à %d", n), "échec : "+msg, "", "", "≤ 1,5×")
		return
	}
	first := time.Since(t)
	s := srv.measure(ctx, "/portefeuille", 1, r.requests(20), r.budget(30*time.Second))
	base, ok := portfolioAt1.Load(r)
	if !ok {
		portfolioAt1.Store(r, s)
		base = s
	}
	at1 := base.(stats)
	r.add(fmt.Sprintf("portefeuille à %d, p50 (1 connexion)", n), ms(s.p50()), "à 1 : "+ms(at1.p50()), ratio(s.p50(), at1.p50()), "≤ 1,5×")
	r.add(fmt.Sprintf("portefeuille à %d, première vue du jour (lignes calculées)", n), ms(first), "", "", "(information)")
}
