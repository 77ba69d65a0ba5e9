"""The IP online service hall (网上办事大厅): a catalogue of public services, applications handled
through a state machine by department staff within promised working-day limits, red and yellow
warnings, satisfaction ratings and supervision."""
