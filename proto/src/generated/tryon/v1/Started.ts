// Original file: tryon/v1/tryon.proto


export interface Started {
  'job_id'?: (string);
}

export interface Started__Output {
  'job_id': (string);
}
