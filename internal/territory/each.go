package territory

import "sort"

// EPCIs returns every intercommunality of the reference data, by SIREN.
func (d *Data) EPCIs() []*EPCI {
	epcis := d.get().epcis
	out := make([]*EPCI, 0, len(epcis))
	for _, e := range epcis {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SIREN < out[j].SIREN })
	return out
}

// Communes returns every commune of the reference data (all types), by
// INSEE code.
func (d *Data) Communes() []*Commune {
	communes := d.get().communes
	out := make([]*Commune, 0, len(communes))
	for _, c := range communes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].INSEE < out[j].INSEE })
	return out
}
