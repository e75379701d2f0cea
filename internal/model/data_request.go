package model

// DataRequestState is where a personal-data exchange request stands
// (art. 7 of the convention).
type DataRequestState string

// The states of a data-exchange request, in the order they follow.
const (
	DataRequestFiled       DataRequestState = "filed"
	DataRequestInStudy     DataRequestState = "in_study"
	DataRequestOpinion     DataRequestState = "opinion"
	DataRequestAccepted    DataRequestState = "accepted"
	DataRequestRefused     DataRequestState = "refused"
	DataRequestImplemented DataRequestState = "implemented"
)

// DataRequestStates lists the states, in their order.
var DataRequestStates = []DataRequestState{DataRequestFiled, DataRequestInStudy, DataRequestOpinion, DataRequestAccepted,
	DataRequestRefused, DataRequestImplemented}

// DataRequestStateLabels gives each state its French label.
var DataRequestStateLabels = map[DataRequestState]string{
	DataRequestFiled:       "déposée",
	DataRequestInStudy:     "en étude",
	DataRequestOpinion:     "avis rendu",
	DataRequestAccepted:    "acceptée",
	DataRequestRefused:     "refusée",
	DataRequestImplemented: "mise en œuvre",
}

// GDPRBasis is the lawful basis of a processing (GDPR art. 6.1).
type GDPRBasis string

// The lawful bases of art. 6.1 of the GDPR.
const (
	BasisConsent            GDPRBasis = "consent"
	BasisContract           GDPRBasis = "contract"
	BasisLegalObligation    GDPRBasis = "legal_obligation"
	BasisVitalInterests     GDPRBasis = "vital_interests"
	BasisPublicTask         GDPRBasis = "public_task"
	BasisLegitimateInterest GDPRBasis = "legitimate_interests"
)

// GDPRBases lists the lawful bases in the order of art. 6.1.
var GDPRBases = []GDPRBasis{BasisConsent, BasisContract, BasisLegalObligation, BasisVitalInterests, BasisPublicTask, BasisLegitimateInterest}

// GDPRBasisLabels gives each lawful basis its French label.
var GDPRBasisLabels = map[GDPRBasis]string{
	BasisConsent:            "consentement de la personne (art. 6.1.a)",
	BasisContract:           "exécution d'un contrat (art. 6.1.b)",
	BasisLegalObligation:    "obligation légale (art. 6.1.c)",
	BasisVitalInterests:     "sauvegarde des intérêts vitaux (art. 6.1.d)",
	BasisPublicTask:         "mission d'intérêt public ou exercice de l'autorité publique (art. 6.1.e)",
	BasisLegitimateInterest: "intérêts légitimes (art. 6.1.f)",
}

// DPOOpinion is the opinion of the data protection officer of the
// holding party.
type DPOOpinion string

// The opinions a DPO gives.
const (
	OpinionNone                    DPOOpinion = ""
	OpinionFavorable               DPOOpinion = "favorable"
	OpinionFavorableRecommendation DPOOpinion = "favorable_with_recommendations"
	OpinionUnfavorable             DPOOpinion = "unfavorable"
)

// DPOOpinions lists the opinions, in their order.
var DPOOpinions = []DPOOpinion{OpinionFavorable, OpinionFavorableRecommendation, OpinionUnfavorable}

// DPOOpinionLabels gives each opinion its French label.
var DPOOpinionLabels = map[DPOOpinion]string{
	OpinionFavorable:               "favorable",
	OpinionFavorableRecommendation: "favorable avec recommandations",
	OpinionUnfavorable:             "défavorable",
}

// DataRequest is a request by one party of a convention to another for
// personal data it holds (art. 7): it describes the data by categories
// and never holds personal data itself. Like indicator values, it refers
// to its convention by slug and to the parties by organization key, which
// survive a re-import of the convention.
type DataRequest struct {
	Meta
	Convention string `json:"convention"`
	// Requester is the organization that asks (recipient controller),
	// Holder the one that holds the data (source controller).
	Requester string `json:"requester"`
	Holder    string `json:"holder"`
	// Title names the exchange in a few words.
	Title string `json:"title"`
	// DataCategories, Purpose, Persons (categories of persons concerned),
	// Retention, Recipients and Security describe the processing.
	DataCategories string    `json:"data_categories"`
	Purpose        string    `json:"purpose"`
	LegalBasis     GDPRBasis `json:"legal_basis"`
	Persons        string    `json:"persons"`
	Retention      string    `json:"retention"`
	Recipients     string    `json:"recipients"`
	// Transfers tells whether data leave the European Union, and how.
	Transfers      bool   `json:"transfers_outside_eu"`
	TransferDetail string `json:"transfer_detail,omitempty"`
	Security       string `json:"security_measures"`

	State DataRequestState `json:"state"`
	// FiledBy is who filed it (public name); FiledByUser their account.
	FiledBy     string `json:"filed_by"`
	FiledByUser string `json:"-"`
	FiledOn     Date   `json:"filed_on"`
	// StudyOn is the day the DPO started the study.
	StudyOn *Date `json:"study_on,omitempty"`
	// Opportunity, Feasibility and Compliance are the three assessments
	// of the study art. 7 asks for (GDPR compliance for the last).
	Opportunity     string     `json:"opportunity,omitempty"`
	Feasibility     string     `json:"feasibility,omitempty"`
	Compliance      string     `json:"compliance,omitempty"`
	Opinion         DPOOpinion `json:"opinion,omitempty"`
	OpinionText     string     `json:"opinion_text,omitempty"`
	Recommendations string     `json:"recommendations,omitempty"`
	OpinionOn       *Date      `json:"opinion_on,omitempty"`
	OpinionBy       string     `json:"opinion_by,omitempty"`
	// DecidedOn, DecidedBy and DecisionNote record the holding party's
	// decision (the state says which).
	DecidedOn    *Date  `json:"decided_on,omitempty"`
	DecidedBy    string `json:"decided_by,omitempty"`
	DecisionNote string `json:"decision_note,omitempty"`
	// ImplementedOn is the day the exchange started.
	ImplementedOn *Date `json:"implemented_on,omitempty"`
}

// HasOpinion reports whether a DPO opinion is recorded.
func (r *DataRequest) HasOpinion() bool { return r.Opinion != OpinionNone && r.OpinionOn != nil }
