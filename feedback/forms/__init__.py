"""Forms of the feedback app: they check the shape of the input; the services decide. One
module per area."""
