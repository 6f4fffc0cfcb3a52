from pathlib import Path

from bench.machine import describe


def test_reads_cpu_memory_and_load_from_proc(tmp_path: Path) -> None:
    (tmp_path / "cpuinfo").write_text("processor\t: 0\nmodel name\t: Test CPU 3000\n")
    (tmp_path / "meminfo").write_text("MemTotal:       2097152 kB\nMemFree: 1 kB\n")
    (tmp_path / "loadavg").write_text("0.50 0.40 0.30 1/100 4242\n")
    machine = describe(tmp_path)
    assert machine.cpu_model == "Test CPU 3000"
    assert machine.memory_gb == 2.0
    assert machine.load_average == "0.50 0.40 0.30"
    assert machine.cores >= 1
    assert machine.rasa.startswith("3.")
