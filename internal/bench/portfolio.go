package bench

import (
	"context"
	"fmt"
	"time"
)

// portfolio measures /portefeuille on a server holding n conventions: its
// first view (which computes and keeps the lines of the day), then its
// p50 on one connection once they are kept, in alternation with the
// server holding 1 convention. A failure is a figure, not a failure of the
// benchmark.
func (r *runner) portfolio(ctx context.Context, srv, ref *server, n int) {
	t := time.Now()
	if msg := srv.get(ctx, "/portefeuille", session); msg != "" {
		r.add(fmt.Sprintf("portefeuille à %d", n), "échec : "+msg, "", "", "≤ 1,5×")
		return
	}
	first := time.Since(t)
	s, at1 := alternate(ctx, srv, ref, "/portefeuille", r.requests(1000))
	r.add(fmt.Sprintf("portefeuille à %d, p50 (1 connexion)", n), ms(s.p50()), "à 1, en alternance : "+ms(at1.p50()), ratio(s.p50(), at1.p50()), "≤ 1,5×")
	r.add(fmt.Sprintf("portefeuille à %d, première vue du jour (lignes calculées)", n), ms(first), "", "", "(information)")
}
