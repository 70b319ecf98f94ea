/** Benchmarks: each measures one path of the system against a baseline taken in the same run. */
package dev.edgewire.benchmarks;
