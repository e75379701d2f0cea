package app

import (
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
)

// Every e-mail ctg sends is written here: its subject, its text part and
// its HTML part, in French, from the same data.

// mailText is the content of one kind of message.
type mailText struct {
	subject, text, html string
}

var mailTexts = map[string]mailText{
	"invitation": {
		subject: `Invitation à rejoindre la convention « {{.Convention}} »`,
		text: `Bonjour,

{{.Inviter}} vous invite à rejoindre la convention « {{.Convention}} » sur ctg, {{.Role}}{{if .Organization}} (organisation : {{.Organization}}){{end}}.

Pour accepter, choisissez votre nom et votre mot de passe en suivant ce lien, valable jusqu'au {{.Expires}} et une seule fois :
{{.URL}}

Si vous n'attendiez pas cette invitation, ignorez ce message : sans suite de votre part, aucun compte ne sera ouvert.
`,
		html: `<p>Bonjour,</p>
<p>{{.Inviter}} vous invite à rejoindre la convention « {{.Convention}} » sur ctg, {{.Role}}{{if .Organization}} (organisation : {{.Organization}}){{end}}.</p>
<p>Pour accepter, choisissez votre nom et votre mot de passe en suivant ce lien, valable jusqu'au {{.Expires}} et une seule fois :<br>
<a href="{{.URL}}">Accepter l'invitation</a></p>
<p>Si vous n'attendiez pas cette invitation, ignorez ce message : sans suite de votre part, aucun compte ne sera ouvert.</p>
`,
	},
	"convocation": {
		subject: `Convocation : {{.Committee}} du {{.Date}} — {{.Convention}}`,
		text: `Bonjour,

{{.Organizer}} vous convoque à la réunion du {{.Committee}} de la convention « {{.Convention}} » :
le {{.Date}}{{with .Time}} à {{.}}{{end}}{{with .Place}}, {{.}}{{end}}.

Ordre du jour :
{{range .Numbered}}{{.}}
{{end}}
La réunion sur ctg : {{.URL}}
La convocation est jointe en PDF (convocation.pdf) ; l'invitation jointe (reunion.ics) l'ajoute à votre agenda.
`,
		html: `<p>Bonjour,</p>
<p>{{.Organizer}} vous convoque à la réunion du {{.Committee}} de la convention « {{.Convention}} » :<br>
le <strong>{{.Date}}</strong>{{with .Time}} à {{.}}{{end}}{{with .Place}}, {{.}}{{end}}.</p>
<p>Ordre du jour :</p>
<ol>{{range .Agenda}}<li>{{.}}</li>{{end}}</ol>
<p><a href="{{.URL}}">La réunion sur ctg</a> · la convocation est jointe en PDF (convocation.pdf) ; l'invitation jointe (reunion.ics) l'ajoute à votre agenda.</p>
`,
	},
	"reminder": {
		subject: `Rappel : {{.Label}} le {{.Date}} — {{.Convention}}`,
		text: `Bonjour,

{{.When}}, le {{.Date}}, échéance de la convention « {{.Convention}} » :
{{.Label}}{{with .Detail}}
{{.}}{{end}}{{with .Responsible}}
Responsable : {{.}}{{end}}

Le calendrier des obligations : {{.URL}}
`,
		html: `<p>Bonjour,</p>
<p>{{.When}}, le <strong>{{.Date}}</strong>, échéance de la convention « {{.Convention}} » :</p>
<p>{{.Label}}{{with .Detail}}<br>{{.}}{{end}}{{with .Responsible}}<br>Responsable : {{.}}{{end}}</p>
<p><a href="{{.URL}}">Le calendrier des obligations</a></p>
`,
	},
	"value_returned": {
		subject: `{{if eq (len .Values) 1}}{{with index .Values 0}}Valeur renvoyée : {{.Indicator}} ({{.Period}}){{end}}{{else}}{{len .Values}} valeurs renvoyées{{end}} — {{.Convention}}`,
		text: `Bonjour,

{{.Validator}} a renvoyé {{if eq (len .Values) 1}}une valeur{{else}}{{len .Values}} valeurs{{end}} dont votre organisation ({{.Organization}}) est responsable dans la convention « {{.Convention}} » :
{{range .Values}}
- {{.Indicator}}, {{.Period}}{{if .Breakdown}} ({{.Breakdown}}){{end}}{{end}}

Motif : {{.Reason}}

Corrigez {{if eq (len .Values) 1}}la valeur, puis soumettez-la{{else}}les valeurs, puis soumettez-les{{end}} à nouveau{{if .URL}} :
{{.URL}}{{else}}.{{end}}
`,
		html: `<p>Bonjour,</p>
<p>{{.Validator}} a renvoyé {{if eq (len .Values) 1}}une valeur{{else}}{{len .Values}} valeurs{{end}} dont votre organisation ({{.Organization}}) est responsable dans la convention « {{.Convention}} » :</p>
<ul>{{range .Values}}
<li>{{.Indicator}}, {{.Period}}{{if .Breakdown}} ({{.Breakdown}}){{end}}</li>{{end}}
</ul>
<p><strong>Motif :</strong> {{.Reason}}</p>
<p>Corrigez {{if eq (len .Values) 1}}la valeur, puis soumettez-la{{else}}les valeurs, puis soumettez-les{{end}} à nouveau{{if .URL}} : <a href="{{.URL}}">{{if eq (len .Values) 1}}ouvrir l'indicateur{{else}}ouvrir mes tâches{{end}}</a>{{else}}.{{end}}</p>
`,
	},
	"values_submitted": {
		subject: `{{if eq (len .Values) 1}}{{with index .Values 0}}Valeur à valider : {{.Indicator}} ({{.Period}}){{end}}{{else}}{{len .Values}} valeurs à valider{{end}} — {{.Convention}}`,
		text: `Bonjour,

{{.Submitter}}{{with .Organization}} ({{.}}){{end}} a soumis {{if eq (len .Values) 1}}une valeur{{else}}{{len .Values}} valeurs{{end}} à valider dans la convention « {{.Convention}} » :
{{range .Values}}
- {{.Indicator}}, {{.Period}}{{if .Breakdown}} ({{.Breakdown}}){{end}}{{end}}

Validez {{if eq (len .Values) 1}}la valeur ou renvoyez-la{{else}}les valeurs ou renvoyez-les{{end}} avec un motif :
{{.URL}}
`,
		html: `<p>Bonjour,</p>
<p>{{.Submitter}}{{with .Organization}} ({{.}}){{end}} a soumis {{if eq (len .Values) 1}}une valeur{{else}}{{len .Values}} valeurs{{end}} à valider dans la convention « {{.Convention}} » :</p>
<ul>{{range .Values}}
<li>{{.Indicator}}, {{.Period}}{{if .Breakdown}} ({{.Breakdown}}){{end}}</li>{{end}}
</ul>
<p>Validez {{if eq (len .Values) 1}}la valeur ou renvoyez-la{{else}}les valeurs ou renvoyez-les{{end}} avec un motif : <a href="{{.URL}}">les valeurs à valider</a></p>
`,
	},
	"data_request_filed": {
		subject: `Demande d'échange de données à étudier : {{.Title}} — {{.Convention}}`,
		text: `Bonjour,

Une demande d'échange de données à caractère personnel vous est adressée, en tant que délégué·e à la protection des données de la partie qui les détient (convention « {{.Convention}} », article 7) :

Objet : {{.Title}}
Partie qui demande les données : {{.Requester}}
Partie qui les détient : {{.Holder}}
Finalité : {{.Purpose}}
Déposée par : {{.FiledBy}}

Il vous revient d'en étudier l'opportunité, la faisabilité et la conformité au RGPD, puis de rendre votre avis{{if .URL}} :
{{.URL}}{{else}} sur ctg.{{end}}
`,
		html: `<p>Bonjour,</p>
<p>Une demande d'échange de données à caractère personnel vous est adressée, en tant que délégué·e à la protection des données de la partie qui les détient (convention « {{.Convention}} », article 7) :</p>
<p>Objet : <strong>{{.Title}}</strong><br>
Partie qui demande les données : {{.Requester}}<br>
Partie qui les détient : {{.Holder}}<br>
Finalité : {{.Purpose}}<br>
Déposée par : {{.FiledBy}}</p>
<p>Il vous revient d'en étudier l'opportunité, la faisabilité et la conformité au RGPD, puis de rendre votre avis{{if .URL}} : <a href="{{.URL}}">ouvrir la demande</a>{{else}} sur ctg.{{end}}</p>
`,
	},
	"data_request_opinion": {
		subject: `Avis du DPO rendu : {{.Title}} — {{.Convention}}`,
		text: `Bonjour,

Le·la délégué·e à la protection des données de la partie qui détient les données demandées ({{.Holder}}) a rendu son avis sur votre demande d'échange de données « {{.Title}} » (convention « {{.Convention}} ») :
avis {{.Opinion}}.{{with .Recommendations}}

Recommandations :
{{.}}{{end}}

La partie qui détient les données décide maintenant de la suite{{if .URL}} :
{{.URL}}{{else}}.{{end}}
`,
		html: `<p>Bonjour,</p>
<p>Le·la délégué·e à la protection des données de la partie qui détient les données demandées ({{.Holder}}) a rendu son avis sur votre demande d'échange de données « {{.Title}} » (convention « {{.Convention}} ») :
<strong>avis {{.Opinion}}</strong>.</p>
{{with .Recommendations}}<p><strong>Recommandations :</strong><br>{{.}}</p>{{end}}
<p>La partie qui détient les données décide maintenant de la suite{{if .URL}} : <a href="{{.URL}}">ouvrir la demande</a>{{else}}.{{end}}</p>
`,
	},
	"data_request_to_decide": {
		subject: `Échange de données à décider : {{.Title}} — {{.Convention}}`,
		text: `Bonjour,

Le·la délégué·e à la protection des données de votre organisation a rendu son avis sur une demande d'échange de données (convention « {{.Convention}} », article 7) :

Objet : {{.Title}}
Partie qui demande les données : {{.Requester}}
Avis : {{.Opinion}}{{with .Recommendations}}
Recommandations :
{{.}}{{end}}

Il vous revient maintenant, pour la partie qui détient les données ({{.Holder}}), d'accepter ou de refuser la demande{{if .URL}} :
{{.URL}}{{else}}.{{end}}
`,
		html: `<p>Bonjour,</p>
<p>Le·la délégué·e à la protection des données de votre organisation a rendu son avis sur une demande d'échange de données (convention « {{.Convention}} », article 7) :</p>
<p>Objet : <strong>{{.Title}}</strong><br>
Partie qui demande les données : {{.Requester}}<br>
Avis : <strong>{{.Opinion}}</strong></p>
{{with .Recommendations}}<p><strong>Recommandations :</strong><br>{{.}}</p>{{end}}
<p>Il vous revient maintenant, pour la partie qui détient les données ({{.Holder}}), d'accepter ou de refuser la demande{{if .URL}} : <a href="{{.URL}}">ouvrir la demande</a>{{else}}.{{end}}</p>
`,
	},
	"event_request_filed": {
		subject: `Manifestation à accorder : {{.Title}} — {{.Convention}}`,
		text: `Bonjour,

{{if .Changed}}Une demande de manifestation publique a été modifiée{{else}}Une manifestation publique est déclarée{{end}} dans le cadre de la convention « {{.Convention}} » (article 8). Elle attend l'accord du financeur sur sa date et sur l'utilisation de sa charte graphique{{if .Changed}} : les réponses précédentes ne valent plus{{end}}.

{{.Kind}} « {{.Title}} »
Organisateur : {{.Organizer}}
Financeur : {{.Financer}}
Date proposée : {{.Date}}{{with .Place}}
Lieu : {{.}}{{end}}

Répondez sur la date et sur la charte graphique{{if .URL}} :
{{.URL}}{{else}} sur ctg.{{end}}
`,
		html: `<p>Bonjour,</p>
<p>{{if .Changed}}Une demande de manifestation publique a été modifiée{{else}}Une manifestation publique est déclarée{{end}} dans le cadre de la convention « {{.Convention}} » (article 8). Elle attend l'accord du financeur sur sa date et sur l'utilisation de sa charte graphique{{if .Changed}} : les réponses précédentes ne valent plus{{end}}.</p>
<p><strong>{{.Kind}} « {{.Title}} »</strong><br>
Organisateur : {{.Organizer}}<br>
Financeur : {{.Financer}}<br>
Date proposée : {{.Date}}{{with .Place}}<br>
Lieu : {{.}}{{end}}</p>
<p>Répondez sur la date et sur la charte graphique{{if .URL}} : <a href="{{.URL}}">ouvrir la demande</a>{{else}} sur ctg.{{end}}</p>
`,
	},
	"event_date_accepted": {
		subject: `Date acceptée : {{.Title}} le {{.Date}} — {{.Convention}}`,
		text: `Bonjour,

{{.Organizer}} accepte la date que le financeur a proposée pour sa manifestation publique (convention « {{.Convention}} », article 8) :
{{.Kind}} « {{.Title}} », le {{.Date}}{{with .Place}}, {{.}}{{end}}.

Charte graphique : {{.Charter}}
État de la demande : {{.State}}{{if .URL}}

La demande : {{.URL}}{{end}}
`,
		html: `<p>Bonjour,</p>
<p>{{.Organizer}} accepte la date que le financeur a proposée pour sa manifestation publique (convention « {{.Convention}} », article 8) :<br>
{{.Kind}} « {{.Title}} », le <strong>{{.Date}}</strong>{{with .Place}}, {{.}}{{end}}.</p>
<p>Charte graphique : {{.Charter}}<br>État de la demande : {{.State}}</p>
{{if .URL}}<p><a href="{{.URL}}">Ouvrir la demande</a></p>{{end}}
`,
	},
	"event_request_answered": {
		subject: `Réponse du financeur : {{.Title}} — {{.Convention}}`,
		text: `Bonjour,

Le financeur a répondu à votre demande de manifestation publique (convention « {{.Convention}} », article 8).

{{.Kind}} « {{.Title}} », date proposée : {{.Date}}
Financeur : {{.Financer}}
Date : {{.DateAnswer}}{{with .OtherDate}}, le {{.}}{{end}}{{with .DateNote}} ({{.}}){{end}}
Charte graphique : {{.Charter}}{{with .Conditions}}
Conditions : {{.}}{{end}}
État de la demande : {{.State}}

{{if .URL}}La demande sur ctg :
{{.URL}}{{else}}La demande est sur ctg.{{end}}
`,
		html: `<p>Bonjour,</p>
<p>Le financeur a répondu à votre demande de manifestation publique (convention « {{.Convention}} », article 8).</p>
<p><strong>{{.Kind}} « {{.Title}} »</strong>, date proposée : {{.Date}}<br>
Financeur : {{.Financer}}<br>
Date : {{.DateAnswer}}{{with .OtherDate}}, le {{.}}{{end}}{{with .DateNote}} ({{.}}){{end}}<br>
Charte graphique : {{.Charter}}{{with .Conditions}}<br>
Conditions : {{.}}{{end}}<br>
État de la demande : <strong>{{.State}}</strong></p>
<p>{{if .URL}}<a href="{{.URL}}">La demande sur ctg</a>{{else}}La demande est sur ctg.{{end}}</p>
`,
	},
}

type parsedMail struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// parsedMails parses the templates when the first message is written, not
// when any ctg process starts.
var parsedMails = sync.OnceValue(func() map[string]parsedMail {
	out := map[string]parsedMail{}
	for name, t := range mailTexts {
		out[name] = parsedMail{
			subject: texttemplate.Must(texttemplate.New(name).Parse(t.subject)),
			text:    texttemplate.Must(texttemplate.New(name).Parse(t.text)),
			html:    htmltemplate.Must(htmltemplate.New(name).Parse(t.html)),
		}
	}
	return out
})

// renderMail writes the subject, text and HTML of a kind of message.
func renderMail(name string, data any) (subject, text, html string, err error) {
	p := parsedMails()[name]
	var b strings.Builder
	if err = p.subject.Execute(&b, data); err != nil {
		return
	}
	// A subject stays on one line whatever the data.
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err = p.text.Execute(&b, data); err != nil {
		return
	}
	text = b.String()
	b.Reset()
	err = p.html.Execute(&b, data)
	return subject, text, b.String(), err
}
