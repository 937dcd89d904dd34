package io.switchboard.engines.control;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the GPUs' memory as nvidia-smi reports it:
 * {@code --query-gpu=index,memory.total,memory.used --format=csv,noheader,nounits} (MiB). The same
 * query works against the simulator's {@code smi} command.
 */
public class GpuProbe {

    public record Reading(int index, long totalBytes, long usedBytes) {
        public long freeBytes() {
            return totalBytes - usedBytes;
        }
    }

    private static final long MIB = 1024L * 1024;

    private final List<String> command;

    public GpuProbe(List<String> command) {
        this.command = List.copyOf(command);
    }

    public List<Reading> read() throws IOException {
        List<String> line = new ArrayList<>(command);
        line.add("--query-gpu=index,memory.total,memory.used");
        line.add("--format=csv,noheader,nounits");
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading GPU memory", e);
        }
        return parse(output);
    }

    static List<Reading> parse(String csv) throws IOException {
        List<Reading> readings = new ArrayList<>();
        for (String row : csv.strip().split("\n")) {
            if (row.isBlank()) continue;
            String[] cells = row.split(",");
            if (cells.length < 3) throw new IOException("unexpected nvidia-smi output: " + row);
            try {
                readings.add(new Reading(Integer.parseInt(cells[0].trim()), Long.parseLong(cells[1].trim()) * MIB,
                        Long.parseLong(cells[2].trim()) * MIB));
            } catch (NumberFormatException e) {
                throw new IOException("unexpected nvidia-smi output: " + row, e);
            }
        }
        return readings;
    }
}
