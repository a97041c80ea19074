"""The dashboard keeps no tables of its own: it reads the facts kept beside the orders (`orders.models.Fact`,
`MonthlyFact`), the approvals (`approvals`) and the domain apps' records."""
