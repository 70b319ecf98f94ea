/** Fault injection: each scenario breaks one part under load and ends with an exact count of readings. */
package dev.edgewire.faults;
