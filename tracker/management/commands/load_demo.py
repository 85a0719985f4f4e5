from tracker.management.commands.load_reference import Command as LoadReference
from tracker.services.reference import DEMO_FILE


class Command(LoadReference):
    help = "Load the small demo record (the seed story) the way load_reference loads the reference record."
    default_file = DEMO_FILE
    name = "Demo record"
