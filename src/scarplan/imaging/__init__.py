"""3D skin topography: read height maps, find depressions, measure and type scars."""
