#!/usr/bin/env node
/** The `protein-sweep` executable. */
import { main } from "./main";

void main();
