import { ChangeDetectionStrategy, Component } from '@angular/core';

/** A routing target for specs that navigate but do not care where to. */
@Component({ template: '', changeDetection: ChangeDetectionStrategy.OnPush })
export class BlankComponent {}
