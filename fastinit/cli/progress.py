"""A progress bar on a terminal (nothing when the output is not one)."""
import shutil
import sys

__all__ = ["ProgressBar"]


class ProgressBar:
    """A one-line progress bar on a terminal, one line per step elsewhere.

    Parameters
    ----------
    total : int
        Number of steps.
    stream : file, optional
        Where to write; sys.stderr by default.
    width : int, optional
        Characters of the bar itself.
    """

    def __init__(self, total, stream=None, width=24):
        self.total = total
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())
        self._last_length = 0

    def start(self, label):
        """Show that the step called label has started."""
        counter = f"{self.done + 1:>{len(str(self.total))}}/{self.total}"
        if self.interactive:
            filled = self.width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"[{bar}] {counter} {label}"
            columns = shutil.get_terminal_size((80, 24)).columns
            text = text[:max(columns - 1, 10)]
            padding = " " * max(self._last_length - len(text), 0)
            self.stream.write("\r" + text + padding)
            self._last_length = len(text)
        else:
            self.stream.write(f"[{counter}] {label}\n")
        self.stream.flush()

    def finish_step(self):
        """Count the current step as done."""
        self.done += 1

    def close(self):
        """Erase the bar from the terminal."""
        if self.interactive and self._last_length:
            self.stream.write("\r" + " " * self._last_length + "\r")
            self.stream.flush()
            self._last_length = 0


